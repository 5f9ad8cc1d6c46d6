import type { Locale } from '../../../i18n.js';
import type { B24Context } from '../b24Context.js';
import { isB24Error } from '../rest/b24Error.js';
import { saveRobotDeleted, saveRobotRegistered } from '../store/robots.js';
import { robotCode, robotFields } from './robotDefinition.js';

/**
 * Puts robots on the portal and keeps our record of them. Adding is idempotent: a robot that
 * is already there (re-install, a retried job) is updated instead (brief §8); removing one that is
 * gone already counts as done. Several templates go out together (one batch).
 */
export interface RobotTemplate {
  id: string;
  name: string;
}

export interface PortalIdentity {
  tenantId: string;
  /** The administrator whose token robot calls carry. */
  authUserId: number;
  lng: Locale;
}

export async function upsertRobots(b24: B24Context, portal: PortalIdentity, templates: RobotTemplate[]): Promise<void> {
  const handler = `${b24.app.publicUrl()}/bitrix24/robot`;
  const specs = templates.map((t) => {
    const code = robotCode(t.id);
    return { t, code, fields: robotFields({ code, templateName: t.name, handler, authUserId: portal.authUserId, lng: portal.lng }) };
  });
  const added = await b24.gateway.callAll(
    portal.tenantId,
    specs.map((s) => ({ method: 'bizproc.robot.add', params: { CODE: s.code, ...s.fields } })),
  );
  const toUpdate = specs.filter((_, i) => {
    const r = added[i]!;
    if (r.ok) return false;
    if (r.error.code === 'ERROR_ACTIVITY_ALREADY_INSTALLED') return true;
    throw r.error;
  });
  const updated = await b24.gateway.callAll(
    portal.tenantId,
    toUpdate.map((s) => ({ method: 'bizproc.robot.update', params: { CODE: s.code, FIELDS: s.fields } })),
  );
  for (const r of updated) if (!r.ok) throw r.error;
  const now = b24.app.clock.now();
  for (const s of specs) await saveRobotRegistered(b24.app.db, { tenantId: portal.tenantId, code: s.code, templateId: s.t.id, name: s.t.name, now });
}

export async function removeRobot(b24: B24Context, tenantId: string, templateId: string): Promise<void> {
  const code = robotCode(templateId);
  try {
    await b24.gateway.call(tenantId, 'bizproc.robot.delete', { CODE: code });
  } catch (e) {
    if (!(isB24Error(e) && e.code === 'ERROR_ACTIVITY_NOT_FOUND')) throw e;
  }
  await saveRobotDeleted(b24.app.db, tenantId, code, b24.app.clock.now());
}
