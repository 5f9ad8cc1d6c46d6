/// <reference lib="dom" />
import i18next from 'i18next';
import type { BaseWidgetConfig } from '../../../src/http/bitrix24/pages/widgetConfig.js';

/**
 * The pages' texts: the server embeds the locale files' areas the pages use (`config.texts`, the
 * same `locales/<lng>/*.json` the server translates with), and i18next reads them here. Keys are
 * the server's (`placements.tab.call_now`, `outcome.human`).
 */
const instance = i18next.createInstance();
let language = 'en';

export function initI18n(cfg: Pick<BaseWidgetConfig, 'lang' | 'texts'>): void {
  language = cfg.lang;
  void instance.init({
    initAsync: false,
    lng: cfg.lang,
    fallbackLng: false,
    resources: { [cfg.lang]: { translation: cfg.texts } },
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
}

export function t(key: string, params: Record<string, unknown> = {}): string {
  return instance.t(key, params as Record<string, string>);
}

/** Whether a key has a text (e.g. an outcome the locale files do not know yet). */
export function has(key: string): boolean {
  return instance.exists(key);
}

export function lang(): string {
  return language;
}
