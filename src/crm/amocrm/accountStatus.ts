import { withTransaction } from '../../store/db.js';
import { findTenant, updateTenant } from '../../store/repositories/tenants.js';
import type { AmoError } from './api/amoError.js';
import type { AmoContext } from './amoContext.js';
import { clearBlock } from './store/pacing.js';

/**
 * The states an account's connection can be in besides `active` (shown in the widget's settings):
 *
 * - `needs_reauth`: the OAuth endpoint refused our refresh token (revoked, reused, expired after
 *   3 months unused). Nothing can be written; running campaigns pause (`crm_needs_reauth`, which
 *   also blocks a manual resume) and their e-mails go out. Reconnecting clears it and resumes them.
 * - `api_blocked`: the account answered 403 (a ban after too many requests) or 402 (subscription
 *   ended). No process sends anything until an hourly probe gets through; campaigns pause
 *   (`crm_api_blocked`) and resume by themselves when the probe succeeds.
 * - `uninstalled`: the disable hook came; nothing is called or written any more.
 */
export async function markNeedsReauth(ctx: AmoContext, tenantId: string, detail: string): Promise<void> {
  await withTransaction(ctx.db, async (tx) => {
    const t = await tx.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const status = t.rows[0]?.status;
    if (!status || status === 'needs_reauth' || status === 'uninstalled') return;
    await updateTenant(tx, tenantId, { status: 'needs_reauth', statusReason: 'refresh_rejected' });
    await ctx.campaigns.pauseAll(tx, tenantId, 'crm_needs_reauth', detail);
  });
  ctx.log.warn({ tenantId }, 'amocrm: the account must be reconnected (refresh token refused)');
}

export async function markBlocked(ctx: AmoContext, tenantId: string, e: AmoError): Promise<void> {
  await withTransaction(ctx.db, async (tx) => {
    const t = await tx.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const status = t.rows[0]?.status;
    if (!status || status === 'api_blocked' || status === 'uninstalled') return;
    await updateTenant(tx, tenantId, { status: 'api_blocked', statusReason: e.status === 402 ? 'payment_required' : 'forbidden' });
    await ctx.campaigns.pauseAll(tx, tenantId, 'crm_api_blocked', `HTTP ${e.status}`);
  });
}

/** Back to active after a reconnect or a probe that got through; what was paused for it resumes. */
export async function markActive(ctx: AmoContext, tenantId: string): Promise<void> {
  const tenant = await findTenant(ctx.db, tenantId);
  if (!tenant || tenant.status === 'active') return;
  const was = tenant.status;
  await clearBlock(ctx.db, tenantId);
  await updateTenant(ctx.db, tenantId, { status: 'active', statusReason: null });
  if (was === 'needs_reauth') await ctx.campaigns.resumeAll(tenantId, 'crm_needs_reauth');
  if (was === 'api_blocked') await ctx.campaigns.resumeAll(tenantId, 'crm_api_blocked');
  ctx.wake.outbox();
}
