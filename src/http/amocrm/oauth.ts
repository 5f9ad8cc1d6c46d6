import type Router from '@koa/router';
import { z } from 'zod';
import type { AmocrmAdapter } from '../../crm/amocrm/index.js';
import { installStatus, receiveInstall } from '../../crm/amocrm/oauth/install.js';
import { findTenant } from '../../store/repositories/tenants.js';
import type { DozvonState } from '../state.js';
import { installPage } from './installPage.js';

/**
 * GET /amocrm/oauth — the Redirect URI (C4, brief §1): the one-shot install webhook (`code`,
 * `referer`, `from_widget`, `client_id`) and the OAuth popup of "Reconnect" (`code`, `referer`,
 * `state`, `client_id`; or `error=access_denied`). amoCRM allows 3 s and never resends: the code is
 * stored and the answer goes back at once; the exchange runs outside the request
 * (src/crm/amocrm/oauth/install.ts). GET /amocrm/oauth/status?id= is where the popup's page goes
 * next, until the account is connected.
 */
const redirectSchema = z.object({
  code: z.string().min(1).max(4000).optional(),
  referer: z.string().min(1).max(255).optional(),
  state: z.string().max(500).optional(),
  client_id: z.string().max(100).optional(),
  from_widget: z.string().max(10).optional(),
  error: z.string().max(100).optional(),
});

export function mountOauthRoutes(router: Router<DozvonState>, amo: AmocrmAdapter): void {
  const { ctx } = amo;
  router.get('/amocrm/oauth', async (koa) => {
    const q = redirectSchema.safeParse(koa.query);
    const lng = koa.state.locale;
    koa.type = 'text/html; charset=utf-8';
    koa.set('Cache-Control', 'no-store');
    koa.set('Referrer-Policy', 'no-referrer');
    if (!q.success || q.data.error || !q.data.code || !q.data.referer) {
      koa.status = q.success && q.data.error ? 200 : 400;
      koa.body = installPage(lng, q.success && q.data.error ? 'denied' : 'refused', { reason: 'code/referer' });
      return;
    }
    const received = await receiveInstall(ctx, { code: q.data.code, referer: q.data.referer, clientId: q.data.client_id, state: q.data.state });
    if (!received.ok) {
      ctx.log.warn({ referer: q.data.referer.slice(0, 100), reason: received.reason }, 'amocrm: install redirect refused');
      koa.status = 400;
      koa.body = installPage(lng, 'refused', { reason: received.reason });
      return;
    }
    amo.installs.start(received.id);
    koa.status = 200;
    koa.body = installPage(lng, 'connecting', { host: received.host.host, refreshUrl: `/amocrm/oauth/status?id=${received.id}` });
  });

  router.get('/amocrm/oauth/status', async (koa) => {
    const id = z.uuid().safeParse(koa.query.id);
    const lng = koa.state.locale;
    koa.type = 'text/html; charset=utf-8';
    koa.set('Cache-Control', 'no-store');
    const s = id.success ? await installStatus(ctx, id.data) : undefined;
    if (!s) {
      koa.status = 404;
      koa.body = installPage(lng, 'refused', { reason: 'unknown' });
      return;
    }
    if (s.status === 'done' && s.tenantId) {
      const tenant = await findTenant(ctx.db, s.tenantId);
      koa.body = installPage(lng, 'connected', { account: tenant?.name ?? '' });
    } else if (s.status === 'failed') {
      koa.body = installPage(lng, 'failed');
    } else {
      koa.body = installPage(lng, 'connecting', { refreshUrl: `/amocrm/oauth/status?id=${id.data}` });
    }
  });
}
