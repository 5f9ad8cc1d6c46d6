import type { Campaign } from '../../../store/repositories/campaigns.js';
import type { Tenant } from '../../../store/repositories/tenants.js';
import { t, type Locale } from '../../../i18n.js';
import { esc, page } from './html.js';

/**
 * The app's main page inside the portal (`/bitrix24/app`): connection state (with the visible
 * reason when the portal needs re-authorisation), the templates offered as robots, recent
 * campaigns. The web-console person may replace it; the server contract is the POST it receives.
 */
export interface AppPageData {
  lng: Locale;
  tenant: Tenant;
  domain: string;
  templates: { id: string; name: string; robotCode: string }[];
  campaigns: Campaign[];
  reauthorised: boolean;
}

export function appPage(d: AppPageData): string {
  const { lng } = d;
  const status =
    d.tenant.status === 'needs_reauth'
      ? `<p class="error">${esc(t(lng, 'bitrix24.app.needs_reauth', { reason: t(lng, `bitrix24.status.${d.tenant.statusReason ?? 'refresh_rejected'}`) }))}</p>`
      : `<p class="ok">${esc(t(lng, d.reauthorised ? 'bitrix24.app.reauthorised' : 'bitrix24.app.connected', { domain: d.domain }))}</p>`;
  const templates = d.templates.length
    ? `<table><tr><th>${esc(t(lng, 'bitrix24.app.template'))}</th><th>${esc(t(lng, 'bitrix24.app.robot'))}</th></tr>${d.templates
        .map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(t(lng, 'bitrix24.robot.name', { template: x.name }))} <span class="muted">${esc(x.robotCode)}</span></td></tr>`)
        .join('')}</table>`
    : `<p class="muted">${esc(t(lng, 'bitrix24.app.no_templates'))}</p>`;
  const campaigns = d.campaigns.length
    ? `<table><tr><th>${esc(t(lng, 'bitrix24.app.campaign'))}</th><th>${esc(t(lng, 'bitrix24.app.status'))}</th><th>${esc(t(lng, 'bitrix24.app.created'))}</th></tr>${d.campaigns
        .map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.status)}${c.statusReason ? ` <span class="muted">(${esc(c.statusReason)})</span>` : ''}</td><td>${esc(c.createdAt.toISOString().slice(0, 16).replace('T', ' '))}</td></tr>`)
        .join('')}</table>`
    : `<p class="muted">${esc(t(lng, 'bitrix24.app.no_campaigns'))}</p>`;
  const body = `<h1>Dozvon</h1>${status}
<h2>${esc(t(lng, 'bitrix24.app.templates'))}</h2>${templates}
<p class="muted">${esc(t(lng, 'bitrix24.app.robot_hint'))}</p>
<h2>${esc(t(lng, 'bitrix24.app.campaigns'))}</h2>${campaigns}`;
  return page({ lang: lng, title: 'Dozvon', body });
}
