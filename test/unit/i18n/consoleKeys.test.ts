import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasKey, LOCALES, localesDir } from '../../../src/i18n.js';

/**
 * The web console has no texts of its own: every key its code names (`t('console.…')`, and the
 * shared areas it reads — outcomes, validation, scenario, campaign reasons) exists in Russian and
 * English, and every key built at run time names a group that exists in both.
 */
const consoleDir = path.resolve(localesDir, '..', 'console', 'src');
/** The call view the console shares with the CRM panels (widgets/shared/callView.ts) is the console's code too. */
const sharedDir = path.resolve(localesDir, '..', 'widgets', 'shared');
function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|vue)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
const code = [...files(consoleDir), ...files(sharedDir)]
  .map((f) => fs.readFileSync(f, 'utf8'))
  .map((s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;,{}()])\/\/.*$/gm, '$1'))
  .join('\n');
const AREAS = '(?:call|console|outcome|validation|scenario|campaign|email|entities|bitrix24|errors|starter)';
// Keys passed to t(…), and the keys screens and problems carry to be translated later (`title:`, `key:`).
const literal = [...new Set([...code.matchAll(new RegExp(`(?:\\bt\\(\\s*|\\b(?:title|key):\\s*)['"](${AREAS}\\.[A-Za-z0-9_.]+)['"]`, 'g'))].map((m) => m[1]!))].filter((k) => !k.endsWith('.'));
const dynamic = [...new Set([...code.matchAll(new RegExp(`\`(${AREAS}\\.[A-Za-z0-9_.]*)\\$\\{`, 'g'))].map((m) => m[1]!))];
const readArea = (lng: string, area: string): unknown => JSON.parse(fs.readFileSync(path.join(localesDir, lng, `${area}.json`), 'utf8'));
/** Plural keys exist as key_one / key_other… */
const exists = (lng: 'ru' | 'en', key: string) => hasKey(lng, key) || hasKey(lng, `${key}_one`) || hasKey(lng, `${key}_other`);

describe('the console’s texts', () => {
  it('the scan finds the keys the console uses', () => {
    expect(literal.length).toBeGreaterThan(400);
    expect(literal).toContain('console.setup.title');
    expect(dynamic).toContain('console.elements.');
    expect(literal).toContain('call.recording_pending');
    expect(dynamic).toContain('call.genders.');
  });

  it.each(LOCALES)('every key the console names exists in %s', (lng) => {
    expect(literal.filter((k) => !exists(lng, k))).toEqual([]);
  });

  it.each(LOCALES)('every key built at run time names a group that exists in %s', (lng) => {
    const missing = dynamic.filter((prefix) => {
      const parts = prefix.replace(/[._]$/, '').split('.');
      let node: unknown = readArea(lng, parts[0]!);
      for (const part of parts.slice(1)) node = (node as Record<string, unknown> | undefined)?.[part];
      // "console.scenarios.f.${type}_text": a prefix of leaf keys of one group.
      return prefix.endsWith('_') ? false : !(typeof node === 'object' && node !== null);
    });
    expect(missing).toEqual([]);
  });
});
