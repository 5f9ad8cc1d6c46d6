import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { consoleFiles } from './http/console/consoleFiles.js';
import { readWidgetManifest } from './http/bitrix24/widgetManifest.js';
import { localesDir } from './i18n.js';

/**
 * `npm start` on a checkout whose browser files were never built (installed with
 * --ignore-scripts, or a build folder deleted): build them once before listening, so the console
 * and the CRM pages work. `npm ci` normally builds them already (the `prepare` script). A failed
 * build is reported and the server starts anyway (the API and CRM callbacks still work; `/` says
 * how to build the console).
 */
export function ensureUiBuilt(): void {
  if (consoleFiles().built() && readWidgetManifest()) return;
  const script = path.resolve(localesDir, '..', 'scripts', 'buildUi.ts');
  if (!fs.existsSync(script)) return;
  process.stdout.write('Dozvon: building the web console and the CRM pages once (npm run build:ui)…\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--if-stale'], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('Dozvon: the browser files could not be built; the console at / will say how to build them.\n');
}
