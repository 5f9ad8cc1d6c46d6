import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasKey, LOCALES, localesDir, t } from '../../../../src/i18n.js';
import { parseClientsFileAll } from '../../../../src/engine/clientsFile/index.js';
import { VARIABLE_GROUPS } from '../../../../src/engine/clientsFile/headerAliases.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../src/engine/clientsFile');
const source = fs
  .readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => fs.readFileSync(path.join(srcDir, f), 'utf8'))
  .join('\n');

function leaves(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('clientsFile locale keys', () => {
  it('every key the code names exists in Russian and English', () => {
    const keys = new Set(source.match(/clientsFile\.[a-zA-Z_]+\.[a-zA-Z_]+/g));
    for (const g of VARIABLE_GROUPS) keys.add(`clientsFile.template.samples.${g.id}`);
    keys.add('clientsFile.template.samples.other');
    expect(keys.size).toBeGreaterThan(20);
    for (const lng of LOCALES) for (const key of keys) expect(hasKey(lng, key), `${lng}: ${key}`).toBe(true);
  });

  it('ru and en have the same keys, and ru is in Russian', () => {
    const read = (lng: string) => JSON.parse(fs.readFileSync(path.join(localesDir, lng, 'clientsFile.json'), 'utf8')) as unknown;
    const ru = read('ru');
    expect(leaves(ru).sort()).toEqual(leaves(read('en')).sort());
    const ruErrors = (ru as { errors: Record<string, string> }).errors;
    for (const text of Object.values(ruErrors)) expect(text).toMatch(/[а-яё]/i);
  });

  it('phone rejections point at the phone.* keys and render the value', async () => {
    const reasons = ['empty', 'not_a_number', 'invalid_country', 'too_short', 'too_long', 'invalid'];
    for (const lng of LOCALES) for (const r of reasons) expect(hasKey(lng, `phone.${r}`), `${lng}: phone.${r}`).toBe(true);
    const [issue] = (await parseClientsFileAll(Buffer.from('12345\n'), { country: 'RU', variables: [], filename: 'typed.txt' })).errors;
    expect(issue && t('ru', issue.reason.key, issue.reason.params)).toContain('12345');
  });
});
