import type { AppContext } from '../../../context.js';
import { cancelOpenNumbers } from '../../../engine/campaigns/cancelNumbers.js';
import { notifyCampaignStatus } from '../../../engine/campaigns/notifyStatus.js';
import { withTransaction } from '../../../store/db.js';
import { findCampaignById, setCampaignStatus } from '../../../store/repositories/campaigns.js';
import { updateTenant } from '../../../store/repositories/tenants.js';
import { erasePortalCredentials } from '../store/portals.js';
import { forgetRobots } from '../store/robots.js';

/**
 * ONAPPUNINSTALL (brief §1.5, already verified by its application token): the portal's campaigns
 * stop (completed, reason `uninstalled`; calls in progress finish), every credential is erased,
 * queued Bitrix24 deliveries are dropped (API access is gone), and with `data[CLEAN]=1` everything
 * Dozvon kept for the portal is deleted — recordings included.
 */
export async function uninstallPortal(app: AppContext, tenantId: string, clean: boolean): Promise<{ campaignsStopped: number }> {
  const now = app.clock.now();
  const stopped = await withTransaction(app.db, async (tx) => {
    const open = await tx.query<{ id: string }>(
      `SELECT id FROM campaigns WHERE tenant_id = $1 AND status <> 'completed' AND deleted_at IS NULL FOR UPDATE`,
      [tenantId],
    );
    for (const row of open.rows) {
      const done = await setCampaignStatus(tx, row.id, { status: 'completed', reason: 'uninstalled', now });
      await cancelOpenNumbers(app, tx, done);
      await notifyCampaignStatus(app, tx, (await findCampaignById(tx, row.id))!, 'completed');
    }
    await erasePortalCredentials(tx, tenantId, now);
    await forgetRobots(tx, tenantId);
    await updateTenant(tx, tenantId, { status: 'uninstalled', statusReason: null });
    // Including the robot returns the cancellations above just queued: nothing can reach the portal now.
    await tx.query(
      `UPDATE outbox SET status = 'dead', last_error = 'the app was uninstalled', done_at = $2, locked_by = NULL, locked_until = NULL
       WHERE tenant_id = $1 AND channel = 'bitrix24' AND status = 'pending'`,
      [tenantId, now],
    );
    return open.rows.length;
  });
  if (clean) await eraseTenantData(app, tenantId);
  app.log.info({ tenantId, clean, campaignsStopped: stopped }, 'bitrix24: app uninstalled from a portal');
  return { campaignsStopped: stopped };
}

async function eraseTenantData(app: AppContext, tenantId: string): Promise<void> {
  const media = await app.db.query<{ storage_key: string }>('SELECT storage_key FROM media WHERE tenant_id = $1', [tenantId]);
  // Rows first (one cascade from the tenant), then the bytes: a crash in between leaves orphan files, never dangling rows.
  await app.db.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
  for (const m of media.rows) {
    await app.storage.remove(m.storage_key).catch((e: unknown) => app.log.warn({ err: e, tenantId, key: m.storage_key }, 'bitrix24: a recording file of an erased portal was not removed'));
  }
}
