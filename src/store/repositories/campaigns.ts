import type { CampaignSettings, CampaignStatus } from '../../core/campaign.js';
import type { Queryable } from '../db.js';

/** Where a campaign came from, so its results can go back there. */
export type CampaignSource =
  | { kind: 'console' }
  | { kind: 'api' }
  | { kind: 'bitrix24'; trigger: 'robot' | 'selection' | 'filter' }
  | { kind: 'amocrm'; trigger: 'widget' | 'pipeline' | 'selection' };

export interface Campaign {
  id: string;
  tenantId: string;
  name: string;
  templateId: string;
  status: CampaignStatus;
  statusReason: string | null;
  statusDetail: string | null;
  settings: CampaignSettings;
  source: CampaignSource;
  startAt: Date | null;
  version: number;
  techErrorsInRow: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  deletedAt: Date | null;
}

interface CampaignRow {
  id: string;
  tenant_id: string;
  name: string;
  template_id: string;
  status: CampaignStatus;
  status_reason: string | null;
  status_detail: string | null;
  settings: CampaignSettings;
  source: CampaignSource;
  start_at: Date | null;
  version: number;
  tech_errors_in_row: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  deleted_at: Date | null;
}

export const toCampaign = (r: CampaignRow): Campaign => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  templateId: r.template_id,
  status: r.status,
  statusReason: r.status_reason,
  statusDetail: r.status_detail,
  settings: r.settings,
  source: r.source,
  startAt: r.start_at,
  version: r.version,
  techErrorsInRow: r.tech_errors_in_row,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  completedAt: r.completed_at,
  deletedAt: r.deleted_at,
});

export async function insertCampaign(
  db: Queryable,
  c: Pick<Campaign, 'id' | 'tenantId' | 'name' | 'templateId' | 'status' | 'settings' | 'source' | 'startAt' | 'createdBy'> & { now: Date },
): Promise<Campaign> {
  const r = await db.query<CampaignRow>(
    `INSERT INTO campaigns (id, tenant_id, name, template_id, status, settings, source, start_at, created_by, created_at, updated_at, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, CASE WHEN $5 = 'running' THEN $10::timestamptz END) RETURNING *`,
    [c.id, c.tenantId, c.name, c.templateId, c.status, JSON.stringify(c.settings), JSON.stringify(c.source), c.startAt, c.createdBy, c.now],
  );
  await db.query('INSERT INTO campaign_pacing (campaign_id) VALUES ($1)', [c.id]);
  return toCampaign(r.rows[0]!);
}

export async function findCampaign(db: Queryable, tenantId: string, id: string, o: { forUpdate?: boolean; withDeleted?: boolean } = {}): Promise<Campaign | undefined> {
  const r = await db.query<CampaignRow>(
    `SELECT * FROM campaigns WHERE tenant_id = $1 AND id = $2 ${o.withDeleted ? '' : 'AND deleted_at IS NULL'} ${o.forUpdate ? 'FOR UPDATE' : ''}`,
    [tenantId, id],
  );
  return r.rows[0] && toCampaign(r.rows[0]);
}

export async function findCampaignById(db: Queryable, id: string, o: { forUpdate?: boolean } = {}): Promise<Campaign | undefined> {
  const r = await db.query<CampaignRow>(`SELECT * FROM campaigns WHERE id = $1 ${o.forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return r.rows[0] && toCampaign(r.rows[0]);
}

/**
 * A campaign with the id of its template's current version (null when the template was deleted):
 * one statement where a campaign and then its template's head were two, for every call's end.
 */
export async function findCampaignWithTemplateVersion(
  db: Queryable,
  id: string,
): Promise<{ campaign: Campaign; templateVersionId: string | null } | undefined> {
  const r = await db.query<CampaignRow & { current_template_version_id: string | null }>(
    `SELECT c.*, v.id AS current_template_version_id
     FROM campaigns c
     LEFT JOIN templates t ON t.id = c.template_id AND t.tenant_id = c.tenant_id AND t.deleted_at IS NULL
     LEFT JOIN template_versions v ON v.template_id = t.id AND v.version = t.current_version
     WHERE c.id = $1`,
    [id],
  );
  const row = r.rows[0];
  return row && { campaign: toCampaign(row), templateVersionId: row.current_template_version_id };
}

export async function listCampaigns(db: Queryable, tenantId: string, o: { status?: CampaignStatus; limit: number }): Promise<Campaign[]> {
  const r = await db.query<CampaignRow>(
    `SELECT * FROM campaigns WHERE tenant_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at DESC LIMIT $3`,
    [tenantId, o.status ?? null, o.limit],
  );
  return r.rows.map(toCampaign);
}

/** Running campaigns of every tenant, for the dispatcher. */
export async function listRunningCampaigns(db: Queryable): Promise<Campaign[]> {
  const r = await db.query<CampaignRow>(`SELECT * FROM campaigns WHERE status = 'running' AND deleted_at IS NULL ORDER BY created_at`);
  return r.rows.map(toCampaign);
}

export async function listDueScheduledCampaigns(db: Queryable, now: Date): Promise<Campaign[]> {
  const r = await db.query<CampaignRow>(
    `SELECT * FROM campaigns WHERE status = 'scheduled' AND deleted_at IS NULL AND start_at <= $1 ORDER BY start_at`,
    [now],
  );
  return r.rows.map(toCampaign);
}

export async function setCampaignStatus(
  db: Queryable,
  id: string,
  p: { status: CampaignStatus; reason: string | null; detail?: string | null; now: Date },
): Promise<Campaign> {
  const r = await db.query<CampaignRow>(
    `UPDATE campaigns SET status = $2, status_reason = $3, status_detail = $4, updated_at = $5,
       started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, $5) ELSE started_at END,
       completed_at = CASE WHEN $2 = 'completed' THEN $5 ELSE completed_at END,
       tech_errors_in_row = CASE WHEN $2 = 'running' THEN 0 ELSE tech_errors_in_row END
     WHERE id = $1 RETURNING *`,
    [id, p.status, p.reason, p.detail ?? null, p.now],
  );
  return toCampaign(r.rows[0]!);
}

export async function updateCampaignConditions(
  db: Queryable,
  id: string,
  p: { name: string; settings: CampaignSettings; startAt: Date | null; now: Date },
): Promise<Campaign> {
  const r = await db.query<CampaignRow>(
    `UPDATE campaigns SET name = $2, settings = $3, start_at = $4, version = version + 1, updated_at = $5 WHERE id = $1 RETURNING *`,
    [id, p.name, JSON.stringify(p.settings), p.startAt, p.now],
  );
  return toCampaign(r.rows[0]!);
}

export async function markCampaignDeleted(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE campaigns SET deleted_at = $2, updated_at = $2,
       status = CASE WHEN status = 'completed' THEN status ELSE 'completed' END,
       status_reason = CASE WHEN status = 'completed' THEN status_reason ELSE 'deleted' END,
       completed_at = COALESCE(completed_at, $2)
     WHERE id = $1`,
    [id, now],
  );
}

/** Counts technical errors in a row; returns the new count (0 after a successful placement). */
export async function noteTechnicalResult(db: Queryable, id: string, failed: boolean): Promise<number> {
  const r = await db.query<{ n: number }>(
    `UPDATE campaigns SET tech_errors_in_row = CASE WHEN $2 THEN tech_errors_in_row + 1 ELSE 0 END
     WHERE id = $1 AND (tech_errors_in_row <> 0 OR $2) RETURNING tech_errors_in_row AS n`,
    [id, failed],
  );
  return r.rows[0]?.n ?? 0;
}
