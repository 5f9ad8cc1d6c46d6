import type { RobotReturnMode } from '../../../core/template.js';
import type { Queryable } from '../../../store/db.js';
import { newId } from '../../../store/ids.js';

/**
 * `b24_robot_runs`: one row per robot call received, unique per workflow event token.
 * queued (intake pending) → calling → returned (the workflow has its values; the calls may go on)
 * | failed (the workflow can no longer get them: stopped, timed out, or the app is gone).
 */
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
  /** When Bitrix24 stops waiting for the answer (`timeout_duration`); null = it waits without a limit. */
  deadlineAt: Date | null;
  /** When Dozvon answers at the latest (a margin before the deadline). */
  answerBy: Date | null;
  /** The template's choice when the call arrived: answer after the first attempt, or when final. */
  returnMode: RobotReturnMode;
  createdAt: Date;
  returnedAt: Date | null;
  /** Whether the values the workflow got were the number's final outcome (null until answered). */
  returnedFinal: boolean | null;
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
  deadline_at: Date | null;
  answer_by: Date | null;
  return_mode: RobotReturnMode;
  created_at: Date;
  returned_at: Date | null;
  returned_final: boolean | null;
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
  deadlineAt: r.deadline_at,
  answerBy: r.answer_by,
  returnMode: r.return_mode,
  createdAt: r.created_at,
  returnedAt: r.returned_at,
  returnedFinal: r.returned_final,
});

/** Inserts the run; returns undefined when the same event token was already received (a redelivery). */
export async function insertRobotRun(
  db: Queryable,
  p: Omit<RobotRun, 'id' | 'status' | 'campaignId' | 'contactId' | 'createdAt' | 'returnedAt' | 'returnedFinal'> & { eventTokenHash: string; now: Date },
): Promise<RobotRun | undefined> {
  const r = await db.query<RunRow>(
    `INSERT INTO b24_robot_runs (id, tenant_id, event_token_hash, event_token_enc, workflow_id, code, template_id, document, properties, created_at,
        deadline_at, answer_by, return_mode)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tenant_id, event_token_hash) DO NOTHING RETURNING *`,
    [newId(), p.tenantId, p.eventTokenHash, p.eventTokenEnc, p.workflowId, p.code, p.templateId, p.document, JSON.stringify(p.properties), p.now, p.deadlineAt, p.answerBy, p.returnMode],
  );
  return r.rows[0] && toRun(r.rows[0]);
}

export async function findRobotRun(db: Queryable, tenantId: string, id: string, o: { forUpdate?: boolean } = {}): Promise<RobotRun | undefined> {
  const r = await db.query<RunRow>(`SELECT * FROM b24_robot_runs WHERE tenant_id = $1 AND id = $2 ${o.forUpdate ? 'FOR UPDATE' : ''}`, [tenantId, id]);
  return r.rows[0] && toRun(r.rows[0]);
}

/** The run's contact is in a campaign; a run that already answered its workflow stays answered. */
export async function setRobotRunCalling(db: Queryable, id: string, campaignId: string, contactId: string): Promise<void> {
  await db.query(`UPDATE b24_robot_runs SET status = CASE WHEN status = 'queued' THEN 'calling' ELSE status END, campaign_id = $2, contact_id = $3 WHERE id = $1`, [id, campaignId, contactId]);
}

/** The workflow got its values (`final`: the number's final outcome), or can never get them any more (failed). */
export async function setRobotRunFinished(db: Queryable, id: string, status: 'returned' | 'failed', now: Date, final: boolean | null = null): Promise<void> {
  await db.query('UPDATE b24_robot_runs SET status = $2, returned_at = $3, returned_final = $4 WHERE id = $1', [id, status, now, final]);
}

/** Whether the workflow still waits for this run (its event token still works). */
export const stillWaiting = (run: Pick<RobotRun, 'status'>): boolean => run.status === 'queued' || run.status === 'calling';
