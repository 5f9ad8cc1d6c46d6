import type Router from '@koa/router';
import type { AmoContext } from '../../crm/amocrm/amoContext.js';
import { receiveDpHook } from '../../crm/amocrm/dp/dpHook.js';
import { readForm, readJson } from '../body.js';
import type { DozvonState } from '../state.js';

/**
 * POST /amocrm/dp — the Digital Pipeline widget hook (brief §4), JSON or form-encoded. The chain:
 * body → schema → the account's DP key (constant time) → recorded once → 202. Everything slow
 * (reading the lead, calling) happens in the outbox; the answer never waits for it.
 */
export function mountDpRoute(router: Router<DozvonState>, ctx: AmoContext): void {
  router.post('/amocrm/dp', async (koa) => {
    const type = (koa.get('content-type') || '').split(';')[0]!.trim().toLowerCase();
    const body = type === 'application/x-www-form-urlencoded' ? await readForm(koa) : await readJson(koa);
    const { verdict } = await receiveDpHook(ctx, body);
    koa.status = verdict === 'queued' ? 202 : 200;
    koa.body = { status: verdict };
  });
}
