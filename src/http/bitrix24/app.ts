import type Router from '@koa/router';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { adoptAdminTokens } from '../../crm/bitrix24/tokens/adoptAdminTokens.js';
import { listCampaigns } from '../../store/repositories/campaigns.js';
import { countNumbersByStatusOf } from '../../store/repositories/numbers.js';
import { findTenant } from '../../store/repositories/tenants.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import { pageBodySchema, pageQuerySchema } from './pageForm.schema.js';
import { appPage } from './pages/appPage.js';
import { asPage, framePolicy } from './pages/html.js';
import { API_BASE, browserTexts, type RecentCampaign } from './pages/widgetConfig.js';
import type { FrameAuth } from './frameAuth.js';
import { pageLocale } from './placement.js';
import { pageAssets } from './static.js';

/**
 * POST /bitrix24/app — Bitrix24's "handler path", the app's page inside the portal. Verified by the
 * user's own token (./frameAuth.ts: the portal says who it belongs to). When the portal needs
 * re-authorisation and an administrator opens the page, their fresh token pair is adopted (and
 * paused campaigns resume). The page itself is `widgets/bitrix24/main.ts`; the server hands it
 * the connection state and the recent campaigns.
 */
const RECENT = 10;

export function mountAppRoute(router: Router<DozvonState>, b24: B24Context, frameAuth: FrameAuth): void {
  router.post('/bitrix24/app', async (ctx) => {
    await asPage(ctx, pageLocale(typeof ctx.query.LANG === 'string' ? ctx.query.LANG : undefined, ctx.state.locale), async () => {
      const query = parseInput(pageQuerySchema, ctx.query, 'query');
      const form = parseInput(pageBodySchema, await readForm(ctx));
      const { portal, tenant } = await frameAuth.verify({ token: form.AUTH_ID, memberId: form.member_id });
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
      const recent = await listCampaigns(b24.app.db, tenant.id, { limit: RECENT });
      const counts = await countNumbersByStatusOf(b24.app.db, recent.map((c) => c.id));
      const campaigns: RecentCampaign[] = recent.map((c) => ({
        id: c.id,
        name: c.name,
        status: c.status,
        statusReason: c.statusReason,
        createdAt: c.createdAt.toISOString(),
        numbers: counts.get(c.id) ?? {},
      }));
      const lang = pageLocale(query.LANG, fresh.locale);
      const assets = await pageAssets(b24.app.log);
      const publicUrl = b24.app.publicUrl();
      framePolicy(ctx, { portal, publicUrl });
      ctx.body = appPage(
        {
          page: 'main',
          placement: form.PLACEMENT,
          memberId: portal.memberId,
          domain: portal.domain,
          api: API_BASE,
          lang,
          texts: browserTexts(lang),
          portal: { domain: portal.domain, status: fresh.status, statusReason: fresh.statusReason },
          reauthorised,
          campaigns,
          links: { server: `${publicUrl}/`, openapi: `${publicUrl}/api/v1/openapi.json` },
        },
        assets,
      );
    });
  });
}
