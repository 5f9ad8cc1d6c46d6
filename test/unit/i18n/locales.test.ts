import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENDERS, OUTCOMES } from '../../../src/core/outcome.js';
import type { PhoneRejection } from '../../../src/core/phone.js';
import { hasKey, LOCALES, localesDir } from '../../../src/i18n.js';
import { BUILTIN_INTENTS } from '../../../src/scenario/recognition.js';
import { WAV_REJECT_REASONS } from '../../../src/voice/audio/index.js';

/**
 * C8: every user-facing text exists in Russian and English. The locale files must mirror each
 * other, and every key the code names — literally or as a prefix completed at run time — must exist.
 */
const srcDir = path.resolve(localesDir, '..', 'src');
const AREAS = '(?:errors|validation|scenario|phone|entities|starter|sandbox|status|audio|email|export|outcome|campaign|bitrix24|amocrm|calendar|clientsFile)';

function leaves(obj: unknown, prefix = ''): [string, unknown][] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return [[prefix, obj]];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}
const files = (lng: string) => fs.readdirSync(path.join(localesDir, lng)).filter((f) => f.endsWith('.json')).sort();
const readFile = (lng: string, file: string): unknown => JSON.parse(fs.readFileSync(path.join(localesDir, lng, file), 'utf8'));
/** Every key of a language as "area.key" → text. */
function texts(lng: string): Map<string, unknown> {
  return new Map(files(lng).flatMap((f) => leaves(readFile(lng, f), f.replace(/\.json$/, ''))));
}
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]))].sort();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
/** The code with comments removed, so a key mentioned in a doc comment does not count as used. */
const code = sourceFiles(srcDir)
  .map((f) => fs.readFileSync(f, 'utf8'))
  .map((s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;,{}()])\/\/.*$/gm, '$1'))
  .join('\n');

const literalKeys = [...new Set([...code.matchAll(new RegExp(`'(${AREAS}\\.[a-z_.]+)'`, 'g'))].map((m) => m[1]!))]
  .filter((k) => !k.endsWith('.'))
  .sort();
const dynamicPrefixes = [...new Set([...code.matchAll(new RegExp(`\`(${AREAS}\\.[A-Za-z_.]*)\\$\\{`, 'g'))].map((m) => m[1]!))].sort();

const PHONE_REJECTIONS = Object.keys({
  empty: 1,
  not_a_number: 1,
  invalid_country: 1,
  too_short: 1,
  too_long: 1,
  invalid: 1,
} satisfies Record<PhoneRejection, 1>);
const ENTITIES = [...new Set([...code.matchAll(/(?:notFound\(|entity: )'([a-z_]+)'/g)].map((m) => m[1]!))].sort();
const ORIGINS = ['string', 'number', 'array', 'other'];

/** What each run-time completed key prefix can become. */
const FAMILIES: Record<string, readonly string[]> = {
  'phone.': PHONE_REJECTIONS,
  'audio.': WAV_REJECT_REASONS,
  'sandbox.callee.': BUILTIN_INTENTS,
  'entities.': ENTITIES,
  'validation.too_small_': ORIGINS,
  'validation.too_big_': ORIGINS,
  'validation.invalid_format_': ['uuid', 'email', 'url', 'regex'],
  'amocrm.outcome.': OUTCOMES,
  'amocrm.gender.': GENDERS,
  'amocrm.install.': ['connecting', 'connected', 'failed', 'denied', 'refused'],
};

describe('locale files', () => {
  it('Russian and English have the same files', () => {
    expect(files('ru')).toEqual(files('en'));
    expect(files('en').length).toBeGreaterThan(5);
  });

  it.each(files('en'))('%s has the same keys in Russian and English', (file) => {
    // Plural forms differ by language (en: one/other; ru: one/few/many/other): compare the bases.
    const keys = (lng: string) => [...new Set(leaves(readFile(lng, file)).map(([k]) => k.replace(/_(zero|one|two|few|many|other)$/, '')))].sort();
    expect(keys('ru')).toEqual(keys('en'));
  });

  it.each(LOCALES)('every %s text is a non-empty string', (lng) => {
    for (const [key, text] of texts(lng)) {
      expect(typeof text, `${lng}: ${key}`).toBe('string');
      expect((text as string).trim(), `${lng}: ${key}`).not.toBe('');
    }
  });

  it('each key has the same {{placeholders}} in both languages', () => {
    const ru = texts('ru');
    for (const [key, en] of texts('en')) {
      expect(placeholders(String(ru.get(key) ?? '')), key).toEqual(placeholders(String(en)));
    }
  });

  it('Russian messages are in Russian', () => {
    for (const [key, text] of texts('ru')) {
      if (/^(errors|validation|scenario|phone|audio)\./.test(key)) expect(String(text), key).toMatch(/[а-яё]/i);
    }
  });
});

describe('keys named in the code', () => {
  it('the scan finds the keys the code uses', () => {
    expect(literalKeys.length).toBeGreaterThan(80);
    expect(literalKeys).toContain('errors.not_found');
    expect(literalKeys).toContain('scenario.no_way_out');
    expect(literalKeys).not.toContain('validation.too_big'); // only mentioned in a comment
  });

  it.each(LOCALES)('every literal key exists in %s', (lng) => {
    // A key with plural forms exists as key_one / key_other.
    const missing = literalKeys.filter((k) => !hasKey(lng, k) && !hasKey(lng, `${k}_other`));
    expect(missing).toEqual([]);
  });

  it('every key built at run time from a prefix is a known family or an existing group in both languages', () => {
    // A prefix like `outcome.` or `bitrix24.gender.` must at least name a group of texts that
    // exists in both files; the families above are checked member by member.
    const groupExists = (lng: string, prefix: string) => {
      const parts = prefix.replace(/[._]$/, '').split('.');
      let node: unknown = readFile(lng, `${parts[0]}.json`);
      for (const part of parts.slice(1)) node = (node as Record<string, unknown> | undefined)?.[part];
      return prefix.endsWith('_') ? node !== undefined || Object.keys(readFile(lng, `${parts[0]}.json`) as object).length > 0 : typeof node === 'object' && node !== null;
    };
    const unknown = dynamicPrefixes.filter((p) => !(p in FAMILIES) && !LOCALES.every((lng) => groupExists(lng, p)));
    expect(unknown).toEqual([]);
  });

  it.each(LOCALES)('every key of those families exists in %s', (lng) => {
    expect(ENTITIES).toEqual(expect.arrayContaining(['template', 'scenario', 'recording', 'dial_plan']));
    const missing = Object.entries(FAMILIES).flatMap(([prefix, members]) => members.map((m) => `${prefix}${m}`)).filter((k) => !hasKey(lng, k));
    expect(missing).toEqual([]);
  });
});
