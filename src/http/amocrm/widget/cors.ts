import type { Context, Next } from 'koa';
import { DomainError } from '../../../core/errors.js';
import { isAccountOrigin } from '../../../crm/amocrm/platform.js';

/**
 * CORS for the widget's calls: `$authorizedAjax` runs in the account's pages
 * (`https://<sub>.amocrm.ru`, `https://<sub>.kommo.com`, `https://<sub>.amocrm.com`) and sends
 * `X-Auth-Token`, so the preflight must allow that header (gotcha 14). Only account origins are
 * answered; a preflight from anywhere else, or asking for other headers, is 401.
 */
const ALLOWED_HEADERS = ['x-auth-token', 'content-type', 'accept', 'accept-language', 'x-requested-with'];
const METHODS = 'GET, POST, PUT, OPTIONS';

export function widgetCors(allowLoopbackHttp: boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const origin = ctx.get('origin');
    const allowed = origin !== '' && isAccountOrigin(origin, allowLoopbackHttp);
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Vary', 'Origin');
    }
    if (ctx.method === 'OPTIONS') {
      const asked = ctx
        .get('access-control-request-headers')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean);
      if (!allowed || asked.some((h) => !ALLOWED_HEADERS.includes(h))) throw new DomainError('unauthorized', 'amocrm.errors.cors');
      ctx.set('Access-Control-Allow-Methods', METHODS);
      ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(', '));
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
