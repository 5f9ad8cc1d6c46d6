import i18next from 'i18next';
import I18NextVue from 'i18next-vue';
import type { App } from 'vue';
import { ref } from 'vue';

/**
 * The console's texts are the server's own locale files (`locales/<lng>/console.json` plus the
 * areas it shares with the server: outcomes, validation and scenario messages, campaign states),
 * read with i18next under the same keys. Each language is one lazily loaded chunk; only the
 * language in use is downloaded.
 */
export type Lang = 'ru' | 'en';
export const LANGS: Lang[] = ['ru', 'en'];

const loaders: Record<Lang, () => Promise<{ default: Record<string, unknown> }>> = {
  ru: () => import('./locales/ru'),
  en: () => import('./locales/en'),
};

/** The language shown now (reactive, for formatters and the UI kit's locale). */
export const currentLang = ref<Lang>('en');

export async function initI18n(app: App, lng: Lang): Promise<void> {
  const resources = (await loaders[lng]()).default;
  await i18next.init({
    lng,
    fallbackLng: false,
    resources: { [lng]: { translation: resources } },
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  currentLang.value = lng;
  document.documentElement.lang = lng;
  app.use(I18NextVue, { i18next });
}

export async function setLang(lng: Lang): Promise<void> {
  if (!i18next.hasResourceBundle(lng, 'translation')) i18next.addResourceBundle(lng, 'translation', (await loaders[lng]()).default);
  await i18next.changeLanguage(lng);
  currentLang.value = lng;
  document.documentElement.lang = lng;
}

/** Outside components (stores, helpers). */
export const t = (key: string, params?: Record<string, unknown>): string => i18next.t(key, params ?? {}) as string;
export const exists = (key: string): boolean => i18next.exists(key);
