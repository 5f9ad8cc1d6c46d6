import type { Queryable } from '../../../store/db.js';
import { newId } from '../../../store/ids.js';

/** `b24_robot_runs`: one row per robot call received, unique per workflow event token. */
export type RobotRunStatus = 'queued' | 'calling' | 'returned' | 'failed';

export interface RobotRun {
  id: string;
  tenantId: string;
  eventTokenEnc: string;
  workflowId: string;
  code: string;
  templateId: string;
  document: string;
  properties: Record<string, unknown>;
  status: RobotRunStatus;
  campaignId: string | null;
  contactId: string | null;
  createdAt: Date;
  returnedAt: Date | null;
}

interface RunRow {
  id: string;
  tenant_id: string;
  event_token_enc: string;
  workflow_id: string;
  code: string;
  template_id: string;
  document: string;
  properties: Record<string, unknown>;
  status: RobotRunStatus;
  campaign_id: string | null;
  contact_id: string | null;
  created_at: Date;
  returned_at: Date | null;
}

const toRun = (r: RunRow): RobotRun => ({
  id: r.id,
  tenantId: r.tenant_id,
  eventTokenEnc: r.event_token_enc,
  workflowId: r.workflow_id,
  code: r.code,
  templateId: r.template_id,
  document: r.document,
  properties: r.properties,
  status: r.status,
  campaignId: r.campaign_id,
  contactId: r.contact_id,
  createdAt: r.created_at,
  returnedAt: r.returned_at,
});

/** Inserts the run; returns undefined when the same event token was already received (a redelivery). */
export async function insertRobotRun(
  db: Queryable,
  p: Omit<RobotRun, 'id' | 'status' | 'campaignId' | 'contactId' | 'createdAt' | 'returnedAt'> & { eventTokenHash: string; now: Date },
): Promise<RobotRun | undefined> {
  const r = await db.query<RunRow>(
    `INSERT INTO b24_robot_runs (id, tenant_id, event_token_hash, event_token_enc, workflow_id, code, template_id, document, properties, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, event_token_hash) DO NOTHING RETURNING *`,
    [newId(), p.tenantId, p.eventTokenHash, p.eventTokenEnc, p.workflowId, p.code, p.templateId, p.document, JSON.stringify(p.properties), p.now],
  );
  return r.rows[0] && toRun(r.rows[0]);
}

export async function findRobotRun(db: Queryable, tenantId: string, id: string, o: { forUpdate?: boolean } = {}): Promise<RobotRun | undefined> {
  const r = await db.query<RunRow>(`SELECT * FROM b24_robot_runs WHERE tenant_id = $1 AND id = $2 ${o.forUpdate ? 'FOR UPDATE' : ''}`, [tenantId, id]);
  return r.rows[0] && toRun(r.rows[0]);
}

export async function setRobotRunCalling(db: Queryable, id: string, campaignId: string, contactId: string): Promise<void> {
  await db.query(`UPDATE b24_robot_runs SET status = 'calling', campaign_id = $2, contact_id = $3 WHERE id = $1`, [id, campaignId, contactId]);
}

export async function setRobotRunFinished(db: Queryable, id: string, status: 'returned' | 'failed', now: Date): Promise<void> {
  await db.query('UPDATE b24_robot_runs SET status = $2, returned_at = $3 WHERE id = $1', [id, status, now]);
}
