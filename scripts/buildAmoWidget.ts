// `npm run build:widget [-- --url https://dozvon.example.com --out widget.zip --support-email ops@example.com --support-link https://… --version 1.2.0]`
// Builds the amoCRM / Kommo widget archive. Defaults come from Dozvon's settings (the origin of
// AMOCRM_REDIRECT_URI, else PUBLIC_URL), so on the server it is just `npm run build:widget`.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { buildWidgetZip } from '../widgets/amocrm/build/buildWidget.js';

const { values } = parseArgs({
  options: { url: { type: 'string' }, out: { type: 'string' }, 'support-email': { type: 'string' }, 'support-link': { type: 'string' }, version: { type: 'string' } },
});
const config = loadConfig(process.env);
const origin = values.url ?? (config.amocrm.redirectUri ? new URL(config.amocrm.redirectUri).origin : config.publicUrl);
if (!origin) throw new Error('Name Dozvon\'s public address: --url https://dozvon.example.com (or set PUBLIC_URL).');
if (!origin.startsWith('https://')) process.stderr.write(`warning: ${origin} is not https — amoCRM pages only call https addresses; fine for the emulator only\n`);
const host = new URL(origin).hostname;
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
const zip = buildWidgetZip({
  url: origin,
  supportEmail: values['support-email'] ?? `support@${host}`,
  supportLink: values['support-link'] ?? origin,
  version: values.version ?? pkg.version,
});
const out = path.resolve(values.out ?? 'widget.zip');
fs.writeFileSync(out, zip);
process.stdout.write(`${out} (${zip.length} bytes) for ${origin}\n`);
