import type { AppContext } from '../../../context.js';
import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import type { B24Context } from '../b24Context.js';
import { findPortal } from '../store/portals.js';

/**
 * `portal.purge`: the recovery window after an uninstall with data[CLEAN]=1 is over. If the app
 * was not installed again meanwhile (the portal holds no tokens and its purge moment has come),
 * everything Dozvon kept for the portal is erased — recordings included. A reinstall clears the
 * purge moment, so a purge job left from before does nothing.
 */
export async function purgePortal(b24: B24Context, job: OutboxJob): Promise<HandlerResult> {
  const { app } = b24;
  const portal = await findPortal(app.db, job.tenantId);
  if (!portal || portal.accessTokenEnc || !portal.purgeAfter) return { kind: 'done' };
  const now = app.clock.now();
  // A later uninstall moved the moment: come back then.
  if (portal.purgeAfter.getTime() > now.getTime()) return { kind: 'retry', error: 'the recovery window is still open', retryAt: portal.purgeAfter };
  await eraseTenantData(app, job.tenantId);
  app.log.info({ tenantId: job.tenantId }, 'bitrix24: recovery window over, the portal\'s data was erased');
  return { kind: 'done' };
}

async function eraseTenantData(app: AppContext, tenantId: string): Promise<void> {
  const media = await app.db.query<{ storage_key: string }>('SELECT storage_key FROM media WHERE tenant_id = $1', [tenantId]);
  // Rows first (one cascade from the tenant, this job's row included), then the bytes: a crash in
  // between leaves orphan files, never dangling rows.
  await app.db.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
  for (const m of media.rows) {
    await app.storage.remove(m.storage_key).catch((err: unknown) => app.log.warn({ tenantId, err }, 'bitrix24: a recording file could not be removed while erasing a portal'));
  }
}
