import type { Context } from 'koa';
import { DomainError } from '../../../core/errors.js';
import { t, type Locale } from '../../../i18n.js';
import { errorBody, STATUS_OF } from '../../errors.js';
import { esc, jsonBlock } from '../../html.js';
import type { DozvonState } from '../../state.js';
import type { WidgetAssets, WidgetEntry } from '../static.js';

/**
 * The frame pages' shared shell: escaped text, the portal's look (plain system font, light
 * spacing), the b24jssdk browser bundle (global `B24Js`, served from /bitrix24/static) and a JSON
 * config block the page script reads. Pages are framed by the portal, so nothing here may forbid
 * framing by it: no X-Frame-Options; the widget pages' CSP names the portal in `frame-ancestors`
 * (see `framePolicy`).
 */


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

/**
 * A page whose content the browser code of `widgets/bitrix24/<entry>.ts` builds: a loading line (or
 * what the server already knows, `body`), the config block, b24jssdk's browser bundle (global
 * `B24Js`), the stylesheet and the entry module — all from Dozvon's own origin.
 */
export function widgetShell(o: { lang: Locale; title: string; config: unknown; assets: WidgetAssets; entry: WidgetEntry; body?: string }): string {
  const loading = `<p class="loading" role="status">${esc(t(o.lang, 'placements.common.loading'))}</p>`;
  return `<!doctype html>
<html lang="${o.lang}"><head><meta charset="utf-8"><title>${esc(o.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(o.assets.css)}">
</head>
<body>
<main id="app" class="app" aria-busy="true">${o.body ?? ''}${loading}</main>
<noscript><p class="notice notice-error">${esc(t(o.lang, 'placements.common.noscript'))}</p></noscript>
<script type="application/json" id="dozvon-config">${jsonBlock(o.config)}</script>
<script src="/bitrix24/static/b24jssdk.js"></script>
<script type="module" src="${esc(o.assets.scripts[o.entry])}"></script>
</body></html>`;
}

/** `host` or `host:port`, as Bitrix24 reports a portal's domain; anything else is not put into a header. */
const DOMAIN_RE = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$/i;

/**
 * The origins a portal's pages are framed from, for CSP: its stored domain (verified at install),
 * https — and plain http too only when its stored REST endpoint is http (emulators, local portals).
 */
export function portalOrigins(portal: { domain: string; clientEndpoint: string }): string[] {
  const host = portal.domain.trim().toLowerCase();
  let plainHttp = false;
  try {
    plainHttp = new URL(portal.clientEndpoint).protocol === 'http:';
  } catch {
    // an unreadable stored endpoint: https only
  }
  if (!DOMAIN_RE.test(host)) return [];
  return plainHttp ? [`https://${host}`, `http://${host}`] : [`https://${host}`];
}

/**
 * Headers of a widget page: not cached (it answers a POST with the user's context), and a CSP that
 * lets only the portal frame it and only our own scripts run. The page talks to Dozvon (same
 * origin) and, through B24Frame, to the portal's REST; recordings come from Dozvon's public URL.
 *
 * The portal is named from what Dozvon stored and verified at install (its domain, and its REST
 * endpoint's scheme) — never from the request's DOMAIN / PROTOCOL, which anyone posting the form
 * chooses: echoing them would let a forged post name any origin as an allowed frame ancestor.
 * Plain http only for a portal whose stored endpoint is http (emulators, local portals).
 */
export function framePolicy(ctx: Context, o: { portal: { domain: string; clientEndpoint: string }; publicUrl: string }): void {
  const portal = portalOrigins(o.portal);
  let publicOrigin = '';
  try {
    publicOrigin = new URL(o.publicUrl).origin;
  } catch {
    // no public URL yet: 'self' covers the recordings
  }
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `media-src 'self' ${publicOrigin}`.trim(),
    `connect-src 'self' ${portal.join(' ')}`.trim(),
    `frame-ancestors 'self' ${portal.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  ctx.set('Content-Security-Policy', policy.join('; '));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.type = 'text/html; charset=utf-8';
}

/**
 * A page route's refusal as a page (the frame shows it to a person), with the status the JSON API
 * would use and the message in the page's language. Anything that is not a DomainError is left to
 * the app's error renderer.
 */
export async function asPage(ctx: Context & { state: DozvonState }, lng: Locale, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const body = errorBody(lng, e, ctx.state.requestId).error;
    ctx.status = STATUS_OF[e.code];
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    // A passing state (a rebuild, a database outage): the portal's frame may come back.
    if (e.code === 'service_unavailable') ctx.set('Retry-After', '30');
    ctx.body = page({
      lang: lng,
      title: t(lng, 'placements.common.error_title'),
      body: `<h1>${esc(t(lng, 'placements.common.error_title'))}</h1><p class="error" role="alert">${esc(body.message)}</p>${body.details
        .map((d) => `<p class="muted">${esc(d.path ? `${d.path}: ${d.message}` : d.message)}</p>`)
        .join('')}<p class="muted">${esc(t(lng, 'placements.common.request_id', { id: body.requestId }))}</p>`,
    });
  }
}
