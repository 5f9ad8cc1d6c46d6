import type { TemplateSettings } from '../../../core/template.js';
import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import type { JobPayload } from '../jobs.js';
import { findInstalledPortal } from '../store/portals.js';
import { removeRobot, upsertRobots } from './registerRobots.js';

/** `robot.sync`: make the portal's robot for a template match the template as it is now. */
export async function syncRobot(b24: B24Context, tenantId: string, p: JobPayload<'robot.sync'>): Promise<HandlerResult> {
  const installed = await findInstalledPortal(b24.app.db, tenantId);
  if (!installed) return { kind: 'done' }; // uninstalled since: nothing to sync
  const { portal, locale } = installed;
  const template = await findVersioned<TemplateSettings>(b24.app.db, TEMPLATES, tenantId, p.templateId);
  if (template) {
    await upsertRobots(b24, { tenantId, authUserId: portal.tokenUserId ?? 1, lng: locale }, [{ id: template.id, name: template.name }]);
  } else {
    await removeRobot(b24, tenantId, p.templateId);
  }
  return { kind: 'done' };
}
