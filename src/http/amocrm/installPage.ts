import { t, type Locale } from '../../i18n.js';
import { esc } from '../html.js';

/**
 * The small pages of the install redirect: amoCRM ignores the answer of a widget install, but an
 * administrator who pressed "Reconnect" sees it in the OAuth popup. Script-free: the "connecting"
 * page refreshes itself onto the status page until the account is connected or the code failed.
 */
export type InstallPageState = 'connecting' | 'connected' | 'failed' | 'denied' | 'refused';

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#223}h1{font-size:1.3rem}.muted{color:#667}.error{color:#b00}';

export function installPage(lng: Locale, state: InstallPageState, o: { host?: string; account?: string; refreshUrl?: string; reason?: string } = {}): string {
  const title = t(lng, `amocrm.install.${state}.title`);
  const text = t(lng, `amocrm.install.${state}.text`, { host: o.host ?? '', account: o.account ?? '', reason: o.reason ?? '' });
  const refresh = o.refreshUrl ? `<meta http-equiv="refresh" content="2;url=${esc(o.refreshUrl)}">` : '';
  return `<!doctype html><html lang="${lng}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1><p class="${state === 'failed' || state === 'refused' ? 'error' : 'muted'}">${esc(text)}</p></body></html>`;
}
