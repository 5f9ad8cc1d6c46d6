import type Router from '@koa/router';
import type { TemplateSettings } from '../../core/template.js';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { robotCode } from '../../crm/bitrix24/robots/robotDefinition.js';
import { adoptAdminTokens } from '../../crm/bitrix24/tokens/adoptAdminTokens.js';
import { listCampaigns } from '../../store/repositories/campaigns.js';
import { findTenant } from '../../store/repositories/tenants.js';
import { listVersioned, TEMPLATES } from '../../store/repositories/versioned.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import { pageBodySchema, pageQuerySchema } from './pageForm.schema.js';
import { appPage } from './pages/appPage.js';
import { verifyApplicationToken } from './portalAuth.js';

/**
 * POST /bitrix24/app — Bitrix24's "handler path", the app's page inside the portal. Verified by the
 * application token. When the portal needs re-authorisation and an administrator opens the page,
 * their fresh token pair is adopted (and paused campaigns resume).
 */
export function mountAppRoute(router: Router<DozvonState>, b24: B24Context): void {
  router.post('/bitrix24/app', async (ctx) => {
    parseInput(pageQuerySchema, ctx.query, 'query');
    const form = parseInput(pageBodySchema, await readForm(ctx));
    const { portal, tenant } = await verifyApplicationToken(b24, form.member_id, form.APPLICATION_TOKEN);
    let reauthorised = false;
    if (tenant.status === 'needs_reauth') {
      reauthorised = await adoptAdminTokens(b24, tenant.id, {
        accessToken: form.AUTH_ID,
        refreshToken: form.REFRESH_ID,
        expiresInSec: Number(form.AUTH_EXPIRES) > 0 ? Number(form.AUTH_EXPIRES) : 3600,
      });
    }
    const fresh = (await findTenant(b24.app.db, tenant.id)) ?? tenant;
    const templates = await listVersioned<TemplateSettings>(b24.app.db, TEMPLATES, tenant.id);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = appPage({
      lng: fresh.locale,
      tenant: fresh,
      domain: portal.domain,
      templates: templates.map((x) => ({ id: x.id, name: x.name, robotCode: robotCode(x.id) })),
      campaigns: await listCampaigns(b24.app.db, tenant.id, { limit: 10 }),
      reauthorised,
    });
  });
}
