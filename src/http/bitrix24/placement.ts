import type Router from '@koa/router';
import { z } from 'zod';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { PLACEMENT_PAGES, type PlacementPage } from '../../crm/bitrix24/install/appBindings.js';
import { localeOfPortal } from '../../crm/bitrix24/install/installPortal.js';
import type { Locale } from '../../i18n.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import type { FrameAuth } from './frameAuth.js';
import { pageBodySchema, pageQuerySchema, placementOptions } from './pageForm.schema.js';
import { asPage, framePolicy } from './pages/html.js';
import { placementPage } from './pages/placementPage.js';
import { API_BASE, browserTexts } from './pages/widgetConfig.js';
import { pageAssets } from './static.js';

/**
 * POST /bitrix24/placement/:name — the pages bound at install: `deal_tab`, `lead_tab` (card tabs)
 * and `deal_list`, `lead_list` (list-menu actions). The portal posts the user's frame form with
 * `PLACEMENT_OPTIONS` (`{"ID": …}`); verified by the user's own token (./frameAuth.ts); the page
 * then talks to `/bitrix24/api/*` with that token, which also decides which records it may touch.
 */
const nameParam = z.object({ name: z.enum(PLACEMENT_PAGES as [PlacementPage, ...PlacementPage[]]) });

/** At most this many rows are taken from one list action (the API takes 10,000 ids). */
const MAX_IDS = 10_000;

/**
 * The rows of `PLACEMENT_OPTIONS.ID`. Bitrix24 documents one id as a string (`{"ID":"8061"}`, the
 * row whose menu was opened); a number, a list, or a comma-separated string of several are taken
 * too, so a selection arrives whole. Anything that is not a positive integer is dropped.
 */
export function idsOf(options: Record<string, unknown>): number[] {
  const raw = options.ID ?? options.id;
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x]));
  const ids = list.map((x) => (typeof x === 'string' ? Number(x.trim()) : Number(x))).filter((n) => Number.isSafeInteger(n) && n > 0);
  return [...new Set(ids)].slice(0, MAX_IDS);
}

/** The page's language: the portal user's LANG (ru/ua/by/kz → Russian), else the portal's. */
export function pageLocale(lang: string | undefined, fallback: Locale): Locale {
  return lang ? localeOfPortal(lang) : fallback;
}

export function mountPlacementRoute(router: Router<DozvonState>, b24: B24Context, frameAuth: FrameAuth): void {
  router.post('/bitrix24/placement/:name', async (ctx) => {
    await asPage(ctx, pageLocale(typeof ctx.query.LANG === 'string' ? ctx.query.LANG : undefined, ctx.state.locale), async () => {
      const { name } = parseInput(nameParam, ctx.params, 'params');
      const query = parseInput(pageQuerySchema, ctx.query, 'query');
      const form = parseInput(pageBodySchema, await readForm(ctx));
      const { portal, tenant } = await frameAuth.verify({ token: form.AUTH_ID, memberId: form.member_id });
      const lang = pageLocale(query.LANG, tenant.locale);
      const assets = pageAssets(b24.app.log);
      framePolicy(ctx, { portal, publicUrl: b24.app.publicUrl() });
      ctx.body = placementPage(
        {
          page: name,
          entity: name.startsWith('deal') ? 'deal' : 'lead',
          ids: idsOf(placementOptions(form.PLACEMENT_OPTIONS)),
          placement: form.PLACEMENT,
          memberId: portal.memberId,
          domain: portal.domain,
          api: API_BASE,
          lang,
          texts: browserTexts(lang),
        },
        assets,
      );
    });
  });
}
