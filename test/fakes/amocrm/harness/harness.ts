import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountCore } from '../account.js';
import { readBody, sendJson, sendText } from '../http.js';
import { mintWidgetToken, newJti } from '../jwt.js';
import { HARNESS_CLIENT } from './client.js';

/**
 * The account's pages for browser tests (`/harness…`): a lead card, the lead list, the settings
 * modal, the advanced settings page and a Digital Pipeline action form, each hosting the uploaded
 * widget the way amoCRM does (./client.ts). Also amoCRM's OAuth popup (`/oauth`, approved at once
 * by the signed-in user) for the widget's Reconnect.
 *
 *   GET  /harness?client=<id>&area=lcard|llist|settings|advanced_settings|digital_pipeline&lead=&selected=1,2&user=&lang=
 *   GET  /harness/widget/<client>/<file>   the uploaded archive's files
 *   POST /harness/token                    a fresh one-time token for $authorizedAjax
 *   POST /harness/dp-save                  the DP action form's values (read back with `dpSettings()`)
 */
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', json: 'application/json; charset=utf-8', css: 'text/css; charset=utf-8', png: 'image/png' };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function handleHarness(core: AccountCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  if (path === '/harness' && req.method === 'GET') return page(core, res, url);
  const file = /^\/harness\/widget\/([\w-]+)\/([\w./-]+)$/.exec(path);
  if (file && req.method === 'GET') {
    const data = core.widgetArchives.get(file[1]!)?.[file[2]!];
    if (!data || file[2]!.includes('..')) return sendText(res, 404, 'Not found', 'text/plain');
    res.writeHead(200, { 'content-type': TYPES[file[2]!.split('.').pop()!] ?? 'application/octet-stream', 'content-length': data.length, 'cache-control': 'no-store' });
    res.end(Buffer.from(data));
    return;
  }
  if (path === '/harness/token' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { clientId: string; userId: number };
    const integ = core.integrations.get(body.clientId);
    if (!integ) return sendText(res, 404, 'unknown integration', 'text/plain');
    const now = core.clock.nowSeconds();
    const token = mintWidgetToken(integ.clientSecret, {
      iss: core.url,
      aud: new URL(integ.redirectUri).origin,
      jti: newJti(),
      iat: now,
      nbf: now,
      exp: now + 1800,
      account_id: core.id,
      user_id: body.userId,
      subdomain: core.subdomain,
      client_uuid: integ.clientId,
      is_admin: core.store.users.get(body.userId)?.is_admin ?? false,
    });
    return sendText(res, 200, token, 'text/plain');
  }
  if (path === '/harness/dp-save' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { clientId: string; settings: Record<string, string> };
    core.dpSettings.set(body.clientId, body.settings);
    return sendJson(res, 200, { ok: true }, 'application/json');
  }
  if (path === '/harness/client.js') return sendText(res, 200, HARNESS_CLIENT, TYPES.js!);
  sendText(res, 404, 'Not found', 'text/plain');
}

function page(core: AccountCore, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  const clientId = q.get('client') ?? '';
  const integ = core.integrations.get(clientId);
  if (!integ || !core.widgetArchives.has(clientId)) return sendText(res, 409, 'Upload the widget first (account.uploadWidget)', 'text/plain');
  const area = q.get('area') ?? 'lcard';
  const cfg = {
    clientId,
    widgetCode: integ.widgetCode,
    area,
    leadId: Number(q.get('lead') ?? 0),
    selected: (q.get('selected') ?? '').split(',').filter(Boolean).map(Number),
    userId: Number(q.get('user') ?? 1),
    lang: q.get('lang') ?? core.lang,
    accountId: core.id,
    subdomain: core.subdomain,
  };
  const lead = cfg.leadId ? core.store.leads.get(cfg.leadId) : undefined;
  const areas: Record<string, string> = {
    lcard: `<main class="card"><h1>${escapeHtml(lead?.name ?? `Lead ${cfg.leadId}`)}</h1></main><aside id="card-widgets" class="card-widgets" aria-label="Widgets"></aside>`,
    llist: `<main><h1>Leads</h1><p>${cfg.selected.length} selected</p><button type="button" id="mass-action">${escapeHtml('Dozvon')}</button></main>`,
    settings: `<div id="settings-modal" class="widget-settings__modal" role="dialog" aria-label="Widget settings" hidden><div id="settings-body" class="widget-settings__desc-space"></div><button type="button" id="settings-save">Save</button></div>`,
    advanced_settings: `<div id="work-area-${escapeHtml(integ.widgetCode)}" class="work-area"></div>`,
    digital_pipeline: `<form id="dp-form" class="digital-pipeline__edit-forms" aria-label="Digital Pipeline action" onsubmit="return false">
<div class="widget_settings_block__item_field"><label>Template <input name="template_id" type="text" value="${escapeHtml(q.get('template') ?? '')}"></label></div>
<div class="widget_settings_block__item_field"><label>Key <input name="dp_key" type="text"></label></div>
<div class="widget_settings_block__item_field"><label>Calls per number <input name="max_attempts" type="text"></label></div>
<button type="button" id="dp-save">Done</button><p id="dp-saved" hidden>Saved</p></form>`,
  };
  const html = `<!doctype html><html lang="${escapeHtml(cfg.lang)}"><head><meta charset="utf-8"><title>amoCRM — ${escapeHtml(area)}</title>
<link rel="stylesheet" href="/harness/widget/${escapeHtml(clientId)}/style.css">
<style>body{margin:0;font:14px Arial,sans-serif;display:flex;gap:16px}main{flex:1;padding:16px}.card-widgets{width:320px;border-left:1px solid #ddd}</style>
<script type="application/json" id="harness-config">${JSON.stringify(cfg).replace(/</g, '\\u003c')}</script>
</head><body>${areas[area] ?? '<p>unknown area</p>'}<script src="/harness/client.js"></script></body></html>`;
  sendText(res, 200, html, 'text/html; charset=utf-8');
}

/** Authorises the widget's Reconnect popup at once, as the account's administrator would. */
export function oauthPopup(core: AccountCore, res: ServerResponse, url: URL): void {
  const integ = core.integrations.get(url.searchParams.get('client_id') ?? '');
  if (!integ) return sendText(res, 400, 'unknown client_id', 'text/plain');
  const target = new URL(integ.redirectUri);
  target.searchParams.set('code', core.oauth.issueCode(core.id, integ.clientId, 1));
  target.searchParams.set('referer', core.host);
  target.searchParams.set('client_id', integ.clientId);
  const state = url.searchParams.get('state');
  if (state) target.searchParams.set('state', state);
  res.writeHead(302, { location: target.toString(), 'x-request-id': crypto.randomUUID() });
  res.end();
}
