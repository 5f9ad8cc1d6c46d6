import { t } from '../../../i18n.js';
import type { WidgetAssets } from '../static.js';
import { esc } from '../../html.js';
import { widgetShell } from './html.js';
import type { MainWidgetConfig } from './widgetConfig.js';

/**
 * The app's main page inside the portal (`/bitrix24/app`, `widgets/bitrix24/main.ts`): connection
 * state, templates (= robots), bulk call by filter, recent campaigns. The connection state is also
 * rendered here on the server, so the reason for a needed re-authorisation is visible even before
 * (or without) the browser code and the API.
 */
export function connectionLine(c: Pick<MainWidgetConfig, 'lang' | 'portal' | 'reauthorised'>): { text: string; ok: boolean } {
  const { lang, portal } = c;
  if (portal.status === 'needs_reauth') {
    const reason = t(lang, `bitrix24.status.${portal.statusReason ?? 'refresh_rejected'}`);
    return { text: t(lang, 'bitrix24.app.needs_reauth', { reason }), ok: false };
  }
  return { text: t(lang, c.reauthorised ? 'bitrix24.app.reauthorised' : 'bitrix24.app.connected', { domain: portal.domain }), ok: true };
}

export function appPage(c: MainWidgetConfig, assets: WidgetAssets): string {
  const line = connectionLine(c);
  const body = `<h1>${esc(t(c.lang, 'placements.main.title'))}</h1>
<p class="notice ${line.ok ? 'notice-ok' : 'notice-error'}">${esc(line.text)}</p>`;
  return widgetShell({ lang: c.lang, title: t(c.lang, 'placements.main.title'), config: c, assets, entry: 'main', body });
}
