import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { appRoot } from './appFiles.js';

/**
 * One i18next instance for the server, CRM entries and e-mail. Resources are the JSON files of
 * `locales/<lang>/`; each file is one area and its name prefixes its keys
 * (`locales/en/errors.json` → `errors.not_found`). The browser pages load the same files.
 */
export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const localesDir = path.join(appRoot, 'locales');

export function readLocaleResources(lng: Locale): Record<string, unknown> {
  const dir = path.join(localesDir, lng);
  const out: Record<string, unknown> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    out[file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  }
  return out;
}

const instance = i18next.createInstance();
let ready = false;

export function initI18n(): void {
  if (ready) return;
  void instance.init({
    initAsync: false,
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: readLocaleResources(l) }])),
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  ready = true;
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** A translator bound to one language. */
export function translator(lng: Locale): TFunction {
  initI18n();
  return instance.getFixedT(lng);
}

export function t(lng: Locale, key: string, params: Record<string, unknown> = {}): string {
  return translator(lng)(key, params as Record<string, string>);
}

/** The text in every language, `{ru: '…', en: '…'}`: for CRMs that show each user their own. */
export function inEveryLocale(key: string, params: Record<string, unknown> = {}): Record<Locale, string> {
  return Object.fromEntries(LOCALES.map((l) => [l, t(l, key, params)])) as Record<Locale, string>;
}

export function hasKey(lng: Locale, key: string): boolean {
  initI18n();
  return instance.exists(key, { lng, fallbackLng: false });
}

/** The best of our locales for an Accept-Language header ("ru-RU,ru;q=0.9,en;q=0.8"). */
export function pickLocale(header: string | undefined, fallback: Locale): Locale {
  return namedLocale(header) ?? fallback;
}

/** The language of ours an Accept-Language header prefers, or undefined when it names none (`*`, `de`). */
export function namedLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { lang: (tag ?? '').toLowerCase().split('-')[0] ?? '', q: q ? Number(q.split('=')[1]) : 1 };
    })
    .filter((r) => r.lang && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q);
  for (const r of ranked) if (isLocale(r.lang)) return r.lang;
  return undefined;
}
