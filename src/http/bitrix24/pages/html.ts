import type { Locale } from '../../../i18n.js';

/**
 * The frame pages' shared shell: escaped text, the portal's look (plain system font, light
 * spacing), the b24jssdk browser bundle (global `B24Js`, served from /bitrix24/static) and a JSON
 * config block the page script reads. Pages are framed by the portal, so nothing here may forbid
 * framing (no X-Frame-Options, no frame-ancestors).
 */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the tag. */
export const jsonBlock = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

export function page(o: { lang: Locale; title: string; body: string; config?: unknown; script?: string; sdk?: boolean }): string {
  return `<!doctype html>
<html lang="${o.lang}"><head><meta charset="utf-8"><title>${esc(o.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:16px 20px;color:#333;background:#fff}
h1{font-size:18px;font-weight:600;margin:0 0 12px}h2{font-size:15px;font-weight:600;margin:18px 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6e9ec;vertical-align:top}
th{font-weight:500;color:#6a737f}.muted{color:#6a737f}.error{color:#c0392b}.ok{color:#2e7d32}
button,select{font:inherit;padding:5px 10px}button{background:#3bc8f5;border:0;border-radius:3px;color:#fff;cursor:pointer}
audio{height:28px}
</style></head>
<body>
${o.body}
${o.config === undefined ? '' : `<script type="application/json" id="dozvon-config">${jsonBlock(o.config)}</script>`}
${o.sdk ? '<script src="/bitrix24/static/b24jssdk.js"></script>' : ''}
${o.script ? `<script>${o.script}</script>` : ''}
</body></html>`;
}
