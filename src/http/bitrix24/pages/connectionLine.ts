import { t, type Locale } from '../../../i18n.js';

/**
 * The app page's line about the portal's connection, rendered on the server so the reason for a
 * needed re-authorisation is in the page even before (or without) the console's code and the API:
 * connected, access just restored by this administrator's visit, or why it must be authorised again.
 */
export function connectionLine(lang: Locale, portal: { domain: string; status: string; statusReason: string | null }, reauthorised: boolean): { text: string; ok: boolean } {
  if (portal.status === 'needs_reauth') {
    const reason = t(lang, `bitrix24.status.${portal.statusReason ?? 'refresh_rejected'}`);
    return { text: t(lang, 'bitrix24.app.needs_reauth', { reason }), ok: false };
  }
  return { text: t(lang, reauthorised ? 'bitrix24.app.reauthorised' : 'bitrix24.app.connected', { domain: portal.domain }), ok: true };
}
