import type { AppContext } from '../../../context.js';
import { autoPause, resumeCampaign } from '../../../engine/campaigns/lifecycle.js';
import { withTransaction } from '../../../store/db.js';
import { updateTenant } from '../../../store/repositories/tenants.js';
import { enqueueB24 } from '../jobs.js';
import { erasePortalCredentials } from '../store/portals.js';
import { forgetRobots } from '../store/robots.js';

/**
 * An uninstall Bitrix24 confirmed (./confirmUninstall.ts) disables the portal at once — no more
 * calls, no more writes — but erases nothing yet:
 *
 * - its running and scheduled campaigns pause (reason `crm_uninstalled`, which also blocks a manual
 *   resume); calls already in progress end normally;
 * - every credential is erased (the application token too, so no post from the old installation is
 *   accepted again) and the tenant is `uninstalled`;
 * - queued Bitrix24 deliveries are dropped (API access is gone);
 * - with `data[CLEAN]=1` the portal's data — templates, history, recordings — is erased after a
 *   recovery window (`portal.purge`, ./purgePortal.ts). Without it the data is kept, as Bitrix24's
 *   "keep the app's data" means.
 *
 * Installing the app again within the window restores everything (`restorePortal`): the same
 * tenant with its templates, history and settings, and the campaigns the uninstall paused resume.
 */
export const RECOVERY_WINDOW_MS = 30 * 24 * 3600_000;

export async function disablePortal(app: AppContext, tenantId: string, o: { clean: boolean; runningJobId?: string }): Promise<{ campaignsPaused: number; purgeAfter: Date | null }> {
  const now = app.clock.now();
  const purgeAfter = o.clean ? new Date(now.getTime() + RECOVERY_WINDOW_MS) : null;
  const paused = await withTransaction(app.db, async (tx) => {
    const open = await tx.query<{ id: string }>(
      `SELECT id FROM campaigns WHERE tenant_id = $1 AND status IN ('running', 'scheduled') AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
      [tenantId],
    );
    let n = 0;
    for (const row of open.rows) if (await autoPause(app, tx, row.id, 'crm_uninstalled', null)) n++;
    await erasePortalCredentials(tx, tenantId, now, purgeAfter);
    await forgetRobots(tx, tenantId);
    await updateTenant(tx, tenantId, { status: 'uninstalled', statusReason: null });
    // Nothing can reach the portal any more; the job confirming this uninstall finishes by itself.
    await tx.query(
      `UPDATE outbox SET status = 'dead', last_error = 'the app was uninstalled', done_at = $2, locked_by = NULL, locked_until = NULL
       WHERE tenant_id = $1 AND channel = 'bitrix24' AND status = 'pending' AND id IS DISTINCT FROM $3::uuid`,
      [tenantId, now, o.runningJobId ?? null],
    );
    if (purgeAfter) {
      await enqueueB24(app, tx, {
        tenantId,
        kind: 'portal.purge',
        key: `b24:portal.purge:${tenantId}:${now.getTime()}`,
        partition: null,
        payload: {},
        notBefore: purgeAfter,
      });
    }
    return n;
  });
  app.log.info({ tenantId, clean: o.clean, campaignsPaused: paused, purgeAfter }, 'bitrix24: app uninstalled from a portal; portal disabled');
  return { campaignsPaused: paused, purgeAfter };
}

/** The app is installed again on a disabled portal: active again, and what the uninstall paused runs again. */
export async function restorePortal(app: AppContext, tenantId: string): Promise<void> {
  await updateTenant(app.db, tenantId, { status: 'active', statusReason: null });
  const paused = await app.db.query<{ id: string }>(
    `SELECT id FROM campaigns WHERE tenant_id = $1 AND status = 'paused' AND status_reason = 'crm_uninstalled' AND deleted_at IS NULL`,
    [tenantId],
  );
  for (const c of paused.rows) {
    // One campaign that cannot resume (its template was deleted meanwhile…) keeps its reason; the rest go on.
    await resumeCampaign(app, tenantId, c.id).catch((err: unknown) => app.log.warn({ tenantId, campaignId: c.id, err }, 'bitrix24: a campaign paused by the uninstall did not resume'));
  }
  app.log.info({ tenantId, campaignsResumed: paused.rows.length }, 'bitrix24: app installed again; portal restored');
}
