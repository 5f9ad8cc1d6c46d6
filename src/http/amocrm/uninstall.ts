import type Router from '@koa/router';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { AmoContext } from '../../crm/amocrm/amoContext.js';
import { handleUninstall } from '../../crm/amocrm/oauth/uninstall.js';
import type { DozvonState } from '../state.js';

/**
 * GET /amocrm/uninstall — amoCRM's disable hook (brief §1): `client_uuid`, `account_id`,
 * `signature` (hex HMAC-SHA256 of `client_id|account_id` with the client secret, checked in
 * constant time). Forged or malformed → 401 and nothing changes; genuine → the account is
 * disabled at once (src/crm/amocrm/oauth/uninstall.ts).
 */
const querySchema = z.object({ client_uuid: z.string().min(1).max(100), account_id: z.string().min(1).max(20), signature: z.string().min(1).max(200) });

export function mountUninstallRoute(router: Router<DozvonState>, ctx: AmoContext): void {
  router.get('/amocrm/uninstall', async (koa) => {
    const q = querySchema.safeParse(koa.query);
    const verdict = q.success ? await handleUninstall(ctx, { clientUuid: q.data.client_uuid, accountId: q.data.account_id, signature: q.data.signature }) : { ok: false as const };
    if (!verdict.ok) {
      ctx.log.warn({ accountId: q.success ? q.data.account_id : undefined }, 'amocrm: a disable hook with a bad signature was refused');
      throw new DomainError('unauthorized', 'amocrm.errors.uninstall_signature');
    }
    koa.status = 200;
    koa.body = { status: 'ok' };
  });
}
