import type { Queryable } from '../../../store/db.js';

/** `b24_robots` and `b24_robot_campaigns`: which robot stands for which template, and where its runs go. */

/**
 * Whether a robot code's template is this portal's own (deleted ones included: their runs are
 * answered "failed" rather than left waiting). A code naming another tenant's template — or none —
 * is not this portal's robot at all.
 */
export async function isOwnTemplate(db: Queryable, tenantId: string, templateId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM templates WHERE tenant_id = $1 AND id = $2', [tenantId, templateId]);
  return r.rows.length > 0;
}

/** Records that the portal now has the robot with this name. */
export async function saveRobotRegistered(db: Queryable, p: { tenantId: string; code: string; templateId: string; name: string; now: Date }): Promise<void> {
  await db.query(
    `INSERT INTO b24_robots (tenant_id, code, template_id, name, registered_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name, registered_at = EXCLUDED.registered_at, deleted_at = NULL`,
    [p.tenantId, p.code, p.templateId, p.name, p.now],
  );
}

export async function saveRobotDeleted(db: Queryable, tenantId: string, code: string, now: Date): Promise<void> {
  await db.query('UPDATE b24_robots SET deleted_at = $3 WHERE tenant_id = $1 AND code = $2', [tenantId, code, now]);
}

/** After an uninstall the portal has no robots any more. */
export async function forgetRobots(db: Queryable, tenantId: string): Promise<void> {
  await db.query('UPDATE b24_robots SET registered_at = NULL WHERE tenant_id = $1', [tenantId]);
}

/** The current robot campaign of (template, variant), locked for the caller's transaction. */
export async function lockRobotCampaign(db: Queryable, tenantId: string, templateId: string, variant: string): Promise<string | undefined> {
  const r = await db.query<{ campaign_id: string }>(
    `SELECT rc.campaign_id FROM b24_robot_campaigns rc JOIN campaigns c ON c.id = rc.campaign_id
     WHERE rc.tenant_id = $1 AND rc.template_id = $2 AND rc.variant = $3 AND c.deleted_at IS NULL AND c.status <> 'completed'
     FOR UPDATE OF rc`,
    [tenantId, templateId, variant],
  );
  return r.rows[0]?.campaign_id;
}

export async function setRobotCampaign(db: Queryable, tenantId: string, templateId: string, variant: string, campaignId: string): Promise<void> {
  await db.query(
    `INSERT INTO b24_robot_campaigns (tenant_id, template_id, variant, campaign_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, template_id, variant) DO UPDATE SET campaign_id = EXCLUDED.campaign_id`,
    [tenantId, templateId, variant, campaignId],
  );
}

/** Whether the campaign is still some (template, variant)'s current robot campaign. */
export async function isCurrentRobotCampaign(db: Queryable, campaignId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM b24_robot_campaigns WHERE campaign_id = $1', [campaignId]);
  return r.rows.length > 0;
}
