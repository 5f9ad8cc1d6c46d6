import { amoRequest } from './api/transport.js';
import { isAmoError } from './api/amoError.js';
import type { AmoContext } from './amoContext.js';
import { markActive } from './accountStatus.js';
import { processPendingInstalls } from './oauth/install.js';
import { grantOf } from './oauth/tokenRefresher.js';
import { accountsToKeepAlive, findAccount } from './store/accounts.js';
import { BLOCK_MS } from './api/gateway.js';
import { setBlock } from './store/pacing.js';

/**
 * Scheduled work of the adapter (agenda, src/engine/jobs/scheduledJobs.ts runs it):
 * - install codes that could not be exchanged at once are retried while they live;
 * - keep-alive: an idle account's refresh token dies after 3 months unused (gotcha 3), so accounts
 *   whose pair is older than a month are refreshed (one at a time per account, single-flight);
 * - a blocked account (403) is probed once its block ends: one request; through → active again and
 *   its campaigns resume, refused → blocked for another hour. Never a stream of requests;
 * - one-time widget token ids past their expiry are forgotten.
 */
export const KEEP_ALIVE_AFTER_MS = 30 * 86_400_000;

export async function keepAlive(ctx: AmoContext, limit = 20): Promise<number> {
  let refreshed = 0;
  for (const a of await accountsToKeepAlive(ctx.db, new Date(ctx.clock.now().getTime() - KEEP_ALIVE_AFTER_MS), limit)) {
    try {
      await ctx.refresher.refresh(a.tenantId, a.tokenVersion);
      refreshed++;
    } catch (e) {
      ctx.log.warn({ tenantId: a.tenantId, err: e }, 'amocrm: keep-alive refresh failed');
    }
  }
  return refreshed;
}

export async function probeBlocked(ctx: AmoContext): Promise<number> {
  const r = await ctx.db.query<{ id: string }>(
    `SELECT t.id FROM tenants t JOIN amo_pacing p ON p.tenant_id = t.id
     WHERE t.kind = 'amocrm' AND t.status = 'api_blocked' AND (p.blocked_until IS NULL OR p.blocked_until <= $1)`,
    [ctx.clock.now()],
  );
  let lifted = 0;
  for (const { id } of r.rows) {
    const account = await findAccount(ctx.db, id);
    const grant = account && grantOf(ctx.sealer, account);
    if (!grant) continue;
    try {
      // Outside the queue on purpose: the queue refuses to send while blocked; this is the one probe.
      await amoRequest(grant.baseUrl, { method: 'GET', path: '/api/v4/account', accessToken: grant.accessToken }, { http: ctx.http, timeoutMs: 15_000 });
    } catch (e) {
      if (isAmoError(e) && e.kind === 'blocked') {
        await setBlock(ctx.db, id, new Date(ctx.clock.now().getTime() + BLOCK_MS), e.code);
        continue;
      }
      // Anything else (a 401 to refresh, a timeout) says the ban itself is gone: let the queue sort it out.
      if (!isAmoError(e) || e.kind === 'transient') continue;
    }
    await markActive(ctx, id);
    ctx.log.info({ tenantId: id }, 'amocrm: the account answers again; its campaigns resume');
    lifted++;
  }
  return lifted;
}

export async function purgeWidgetTokens(ctx: AmoContext): Promise<void> {
  await ctx.db.query('DELETE FROM amo_widget_tokens WHERE expires_at < $1', [ctx.clock.now()]);
}

export interface ScheduledCrmJob {
  name: string;
  every: string;
  run(): Promise<void>;
}

export function amocrmScheduledJobs(ctx: AmoContext): ScheduledCrmJob[] {
  return [
    { name: 'amocrm:installs', every: '30 seconds', run: async () => void (await processPendingInstalls(ctx)) },
    { name: 'amocrm:keepAlive', every: '6 hours', run: async () => void (await keepAlive(ctx)) },
    { name: 'amocrm:probeBlocked', every: '5 minutes', run: async () => void (await probeBlocked(ctx)) },
    { name: 'amocrm:purgeTokens', every: '1 hour', run: () => purgeWidgetTokens(ctx) },
  ];
}
