import type Router from '@koa/router';
import { z } from 'zod';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { PLACEMENT_PAGES, type PlacementPage } from '../../crm/bitrix24/install/appBindings.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import { pageBodySchema, pageQuerySchema, placementOptions } from './pageForm.schema.js';
import { placementPage } from './pages/placementPage.js';
import { verifyApplicationToken } from './portalAuth.js';

/**
 * POST /bitrix24/placement/:name — the pages bound at install: `deal_tab`, `lead_tab` (card tabs)
 * and `deal_list`, `lead_list` (list-menu actions). The portal posts the user's frame form with
 * `PLACEMENT_OPTIONS` (`{"ID": …}`); verified by the application token; the page then talks to
 * `/bitrix24/api/*` with the frame token.
 */
const nameParam = z.object({ name: z.enum(PLACEMENT_PAGES as [PlacementPage, ...PlacementPage[]]) });

function idsOf(options: Record<string, unknown>): number[] {
  const raw = options.ID ?? options.id;
  const list = Array.isArray(raw) ? raw : [raw];
  return [...new Set(list.map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0))];
}

export function mountPlacementRoute(router: Router<DozvonState>, b24: B24Context): void {
  router.post('/bitrix24/placement/:name', async (ctx) => {
    const { name } = parseInput(nameParam, ctx.params, 'params');
    const query = parseInput(pageQuerySchema, ctx.query, 'query');
    const form = parseInput(pageBodySchema, await readForm(ctx));
    const { portal, tenant } = await verifyApplicationToken(b24, form.member_id, form.APPLICATION_TOKEN);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = placementPage({
      page: name,
      entity: name.startsWith('deal') ? 'deal' : 'lead',
      ids: idsOf(placementOptions(form.PLACEMENT_OPTIONS)),
      placement: form.PLACEMENT,
      memberId: portal.memberId,
      domain: query.DOMAIN,
      lang: tenant.locale,
    });
  });
}
