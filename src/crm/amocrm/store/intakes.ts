import type { Queryable } from '../../../store/db.js';

/** `amo_intakes`: a selection or filter intake's progress, committed with the contacts it added. */
export interface IntakePosition {
  /** ids: how many of the sorted ids are taken. */
  taken?: number;
  /** filter: the next page to read and the highest lead id taken (a lead seen twice as pages shift is skipped). */
  page?: number;
  lastId?: number;
}

export interface Intake {
  campaignId: string;
  tenantId: string;
  kind: 'ids' | 'filter';
  spec: Record<string, unknown>;
  position: IntakePosition;
  fetched: number;
  added: number;
  skipped: number;
  status: 'running' | 'done' | 'failed';
  error: string | null;
}

interface Row {
  campaign_id: string;
  tenant_id: string;
  kind: Intake['kind'];
  spec: Record<string, unknown>;
  position: IntakePosition;
  fetched: number;
  added: number;
  skipped: number;
  status: Intake['status'];
  error: string | null;
}

const toIntake = (r: Row): Intake => ({
  campaignId: r.campaign_id,
  tenantId: r.tenant_id,
  kind: r.kind,
  spec: r.spec,
  position: r.position,
  fetched: r.fetched,
  added: r.added,
  skipped: r.skipped,
  status: r.status,
  error: r.error,
});

export async function insertIntake(db: Queryable, i: Pick<Intake, 'campaignId' | 'tenantId' | 'kind' | 'spec'>): Promise<void> {
  await db.query('INSERT INTO amo_intakes (campaign_id, tenant_id, kind, spec) VALUES ($1, $2, $3, $4)', [i.campaignId, i.tenantId, i.kind, JSON.stringify(i.spec)]);
}

export async function findIntake(db: Queryable, tenantId: string, campaignId: string, o: { forUpdate?: boolean } = {}): Promise<Intake | undefined> {
  const r = await db.query<Row>(`SELECT * FROM amo_intakes WHERE tenant_id = $1 AND campaign_id = $2 ${o.forUpdate ? 'FOR UPDATE' : ''}`, [tenantId, campaignId]);
  return r.rows[0] && toIntake(r.rows[0]);
}

export async function advanceIntake(db: Queryable, campaignId: string, p: { position: IntakePosition; fetched: number; added: number; skipped: number; done: boolean; now: Date }): Promise<void> {
  await db.query(
    `UPDATE amo_intakes SET position = $2, fetched = fetched + $3, added = added + $4, skipped = skipped + $5,
       status = CASE WHEN $6::boolean THEN 'done' ELSE status END, finished_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE finished_at END
     WHERE campaign_id = $1`,
    [campaignId, JSON.stringify(p.position), p.fetched, p.added, p.skipped, p.done, p.now],
  );
}

export async function failIntake(db: Queryable, campaignId: string, error: string, now: Date): Promise<void> {
  await db.query(`UPDATE amo_intakes SET status = 'failed', error = left($2, 500), finished_at = $3 WHERE campaign_id = $1`, [campaignId, error, now]);
}
