import type Router from '@koa/router';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { adoptAdminTokens } from '../../crm/bitrix24/tokens/adoptAdminTokens.js';
import { crmConsoleSession } from '../../engine/auth/crmSession.js';
import { findTenant } from '../../store/repositories/tenants.js';
import { readForm } from '../body.js';
import { embeddedConsolePage } from '../console/embeddedConsolePage.js';
import { consolePolicy } from '../console/consolePages.js';
import type { DozvonState } from '../state.js';
import type { FrameAuth } from './frameAuth.js';
import { pageBodySchema, pageQuerySchema } from './pageForm.schema.js';
import { connectionLine } from './pages/connectionLine.js';
import { asPage, portalOrigins } from './pages/html.js';
import { pageLocale } from './placement.js';

/**
 * POST /bitrix24/app — Bitrix24's "handler path", the app's page inside the portal: the web console,
 * signed in as the portal user in the portal's tenant, portal administrators as console
 * administrators. Verified by the user's own token (./frameAuth.ts: the portal says who it belongs
 * to). When the portal needs re-authorisation and an administrator opens the page, their fresh
 * token pair is adopted first (and paused campaigns resume). The page loads b24jssdk's bundle so
 * the console can size the frame, read pipelines with the user's rights and start calls by filter.
 */
export function mountAppRoute(router: Router<DozvonState>, b24: B24Context, frameAuth: FrameAuth): void {
  router.post('/bitrix24/app', async (ctx) => {
    await asPage(ctx, pageLocale(typeof ctx.query.LANG === 'string' ? ctx.query.LANG : undefined, ctx.state.locale), async () => {
      const query = parseInput(pageQuerySchema, ctx.query, 'query');
      const form = parseInput(pageBodySchema, await readForm(ctx));
      const who = await frameAuth.verify({ token: form.AUTH_ID, memberId: form.member_id });
      const { portal, tenant } = who;
      let reauthorised = false;
      if (tenant.status === 'needs_reauth') {
        reauthorised = await adoptAdminTokens(b24, tenant.id, {
          accessToken: form.AUTH_ID,
          refreshToken: form.REFRESH_ID,
          expiresInSec: Number(form.AUTH_EXPIRES) > 0 ? Number(form.AUTH_EXPIRES) : 3600,
        });
      }
      // Adopting the tokens changed the tenant's status: show the page as it is now.
      const fresh = reauthorised ? ((await findTenant(b24.app.db, tenant.id)) ?? tenant) : tenant;
      const lang = pageLocale(query.LANG, fresh.locale);
      const session = await crmConsoleSession(b24.app, {
        tenantId: tenant.id,
        crm: 'bitrix24',
        crmUserId: String(who.userId),
        name: who.name,
        isAdmin: who.admin,
        locale: lang,
      }, { ip: ctx.ip || undefined, userAgent: ctx.get('user-agent') || undefined });
      const line = connectionLine(session.user.locale, { domain: portal.domain, status: fresh.status, statusReason: fresh.statusReason }, reauthorised);
      const html = embeddedConsolePage(b24.app.log, 'bitrix24', session, { account: portal.memberId, domain: portal.domain }, { ...line, show: !line.ok || reauthorised }, {
        headExtra: '<script src="/bitrix24/static/b24jssdk.js"></script>',
      });
      const origins = portalOrigins(portal);
      consolePolicy(ctx, { publicUrl: b24.app.publicUrl(), frameAncestors: origins, connect: origins });
      ctx.body = html;
    });
  });
}
