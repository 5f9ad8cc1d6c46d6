import type { AppContext, TemplateChangedHook } from '../../../context.js';
import { newId } from '../../../store/ids.js';
import { enqueueB24 } from '../jobs.js';

/**
 * Template created / renamed / deleted → the portal's robot added / updated / deleted (C2). The
 * hook runs inside the transaction that saves the template, so it only queues the change; the
 * `robot.sync` job reads the template's state when it runs and makes the portal match it (the
 * outbox's next poll picks it up; there is no after-commit moment to nudge it from here).
 */
export function robotSyncHook(app: AppContext): TemplateChangedHook {
  return async (tx, change) => {
    const portal = await tx.query('SELECT 1 FROM b24_portals WHERE tenant_id = $1 AND access_token_enc IS NOT NULL', [change.tenantId]);
    if (portal.rows.length === 0) return;
    await enqueueB24(app, tx, {
      tenantId: change.tenantId,
      kind: 'robot.sync',
      key: `b24:robot.sync:${change.templateId}:${newId()}`,
      partition: `b24:${change.tenantId}:robots`,
      payload: { templateId: change.templateId },
    });
  };
}
