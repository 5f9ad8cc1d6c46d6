import type { Queryable } from '../../../store/db.js';

/** Deals and leads are what selections and filters take in. */
export type BulkEntity = 'deal' | 'lead';

/** `b24_intakes`: the progress of a selection or filter intake, committed with the contacts it added. */
export interface Intake {
  campaignId: string;
  tenantId: string;
  kind: 'ids' | 'filter';
  entity: BulkEntity;
  spec: Record<string, unknown>;
  lastId: number;
  fetched: number;
  added: number;
  skipped: number;
  status: 'running' | 'done' | 'failed';
  error: string | null;
}

interface IntakeRow {
  campaign_id: string;
  tenant_id: string;
  kind: Intake['kind'];
  entity: Intake['entity'];
  spec: Record<string, unknown>;
  last_id: string;
  fetched: number;
  added: number;
  skipped: number;
  status: Intake['status'];
  error: string | null;
}

const toIntake = (r: IntakeRow): Intake => ({
  campaignId: r.campaign_id,
  tenantId: r.tenant_id,
  kind: r.kind,
  entity: r.entity,
  spec: r.spec,
  lastId: Number(r.last_id),
  fetched: r.fetched,
  added: r.added,
  skipped: r.skipped,
  status: r.status,
  error: r.error,
});

export async function insertIntake(db: Queryable, i: Pick<Intake, 'campaignId' | 'tenantId' | 'kind' | 'entity' | 'spec'>): Promise<void> {
  await db.query('INSERT INTO b24_intakes (campaign_id, tenant_id, kind, entity, spec) VALUES ($1, $2, $3, $4, $5)', [
    i.campaignId,
    i.tenantId,
    i.kind,
    i.entity,
    JSON.stringify(i.spec),
  ]);
}

export async function findIntake(db: Queryable, tenantId: string, campaignId: string, o: { forUpdate?: boolean } = {}): Promise<Intake | undefined> {
  const r = await db.query<IntakeRow>(`SELECT * FROM b24_intakes WHERE tenant_id = $1 AND campaign_id = $2 ${o.forUpdate ? 'FOR UPDATE' : ''}`, [tenantId, campaignId]);
  return r.rows[0] && toIntake(r.rows[0]);
}

/** Moves the intake past a page, in the transaction that added the page's contacts. */
export async function advanceIntake(db: Queryable, campaignId: string, p: { lastId: number; fetched: number; added: number; skipped: number; done: boolean; now: Date }): Promise<void> {
  await db.query(
    `UPDATE b24_intakes SET last_id = $2, fetched = fetched + $3, added = added + $4, skipped = skipped + $5,
       status = CASE WHEN $6::boolean THEN 'done' ELSE status END, finished_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE finished_at END
     WHERE campaign_id = $1`,
    [campaignId, p.lastId, p.fetched, p.added, p.skipped, p.done, p.now],
  );
}

export async function failIntake(db: Queryable, campaignId: string, error: string, now: Date): Promise<void> {
  await db.query(`UPDATE b24_intakes SET status = 'failed', error = left($2, 500), finished_at = $3 WHERE campaign_id = $1`, [campaignId, error, now]);
}
