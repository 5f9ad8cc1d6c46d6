import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { zipSync } from 'fflate';
import { LOGO_SIZES, logoPng } from './logo.js';

/**
 * Builds `widget.zip` for amoCRM / Kommo (brief §5): every file at the archive's root —
 * `manifest.json` (interface_version 2, our locations, the DP block with `webhook_url`, support),
 * `script.js` (AMD, readable, unminified: moderation refuses minified code), `style.css`,
 * `i18n/ru.json` and `i18n/en.json` made from `locales/<lng>/amocrm.json` (one source of texts
 * for the server and the widget), and `images/` drawn at exactly the sizes amoCRM asks for.
 *
 * The widget must call Dozvon on the Redirect URI's origin (the widget token's `aud`), so that
 * address is built into the script and the DP webhook.
 */
export interface WidgetBuildOptions {
  /** Dozvon's public origin, e.g. https://dozvon.example.com (the Redirect URI's origin). */
  url: string;
  supportLink: string;
  supportEmail: string;
  /** Shown in amoCRM; bump it on every upload so accounts load the new script. */
  version: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const widgetDir = path.resolve(here, '..');
const localesDir = path.resolve(widgetDir, '..', '..', 'locales');
export const WIDGET_LOCALES = ['ru', 'en'] as const;

const readLocale = (lang: string, area: string): unknown => JSON.parse(fs.readFileSync(path.join(localesDir, lang, `${area}.json`), 'utf8'));

function widgetTexts(lang: string): Record<string, unknown> {
  const all = readLocale(lang, 'amocrm') as { widget: Record<string, unknown> };
  const w = all.widget;
  // The manifest names its texts by these keys; the script reads its own from `dozvon`.
  return {
    widget: { name: w.name, description: w.description, short_description: w.short_description, tour_description: w.tour_description },
    advanced: { title: w.advanced_title },
    dp: { template_id: w.dp_template, dp_key: w.dp_key, max_attempts: w.dp_max_attempts },
    // `lang` tells the script which language amoCRM loaded (it asks Dozvon for the same); `call` and
    // `outcome` are the texts of the shared call view, under the keys it asks for everywhere.
    dozvon: { ...w, lang, call: readLocale(lang, 'call'), outcome: readLocale(lang, 'outcome') },
  };
}

const CALL_VIEW_SOURCE = path.resolve(widgetDir, '..', 'shared', 'callView.ts');
const CALL_VIEW_MARK = /^ {2}var CallView = null; \/\/ @dozvon:call-view$/m;

/**
 * script.js with the shared call view (widgets/shared/callView.ts) written in at its mark: the
 * panel sits in amoCRM's page and loads as one AMD file, so the module travels inside it — types
 * stripped, not minified (moderation reads the file), ES2017 like the rest of the script.
 */
export function widgetScript(source: string): string {
  if (!CALL_VIEW_MARK.test(source)) throw new Error('widgets/amocrm/script.js: the "@dozvon:call-view" line is missing');
  const { code } = transformSync(fs.readFileSync(CALL_VIEW_SOURCE, 'utf8'), { loader: 'ts', format: 'iife', globalName: 'CallView', target: 'es2017', legalComments: 'none', sourcefile: 'widgets/shared/callView.ts' });
  const inlined = code
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
  return source.replace(CALL_VIEW_MARK, () => `  // widgets/shared/callView.ts, written in by the widget build.\n${inlined}`);
}

export function widgetFiles(o: WidgetBuildOptions): Record<string, Uint8Array> {
  const url = o.url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(url)) throw new Error(`the widget needs Dozvon's origin (https://host), got ${o.url}`);
  const fill = (text: string) =>
    text.replaceAll('__DOZVON_URL__', url).replaceAll('__SUPPORT_LINK__', o.supportLink).replaceAll('__SUPPORT_EMAIL__', o.supportEmail).replaceAll('__VERSION__', o.version);
  const read = (name: string) => fs.readFileSync(path.join(widgetDir, name), 'utf8');
  const files: Record<string, Uint8Array> = {
    'manifest.json': Buffer.from(fill(read('manifest.json'))),
    'script.js': Buffer.from(fill(widgetScript(read('script.js')))),
    'style.css': Buffer.from(read('style.css')),
  };
  for (const lng of WIDGET_LOCALES) files[`i18n/${lng}.json`] = Buffer.from(`${JSON.stringify(widgetTexts(lng), null, 2)}\n`);
  for (const [name, [w, h]] of Object.entries(LOGO_SIZES)) files[`images/${name}`] = logoPng(w, h);
  return files;
}

export function buildWidgetZip(o: WidgetBuildOptions): Uint8Array {
  // A fixed date keeps the archive identical for identical sources.
  const mtime = new Date('2024-01-01T00:00:00Z');
  return zipSync(Object.fromEntries(Object.entries(widgetFiles(o)).map(([n, d]) => [n, [d, { mtime }]])), { level: 9 });
}
