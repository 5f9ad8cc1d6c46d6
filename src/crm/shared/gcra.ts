import type { Queryable } from '../../store/db.js';

/**
 * A CRM account's request budget as seen by every Dozvon process: GCRA on one row per tenant. A
 * bucket that drains `rate` requests a second and holds `burst` is the same as GCRA with emission
 * interval T = 1/rate and tolerance A = (burst − 1)·T: a request at time s conforms when
 * s ≥ tat − A, and moves tat to max(tat, s) + T.
 *
 * `reserveSlot` books the earliest conforming moment in one statement (the row is locked for the
 * microseconds of the update), so two processes never take the same slot; the caller sleeps until
 * the returned time. A booked slot in the future is fine: the caller's scheduler fills the wait
 * with more work for the same request (that is how writes get batched under load).
 */
export interface BucketSettings {
  /** Requests drained per second. */
  ratePerSec: number;
  /** Bucket size. */
  burst: number;
}

/** The pacing tables (one per CRM; a fixed list, never a name from input). */
export type PacingTable = 'b24_portal_pacing' | 'amo_pacing';

export async function reserveSlot(db: Queryable, table: PacingTable, tenantId: string, now: Date, b: BucketSettings): Promise<Date> {
  const interval = 1 / b.ratePerSec;
  const tolerance = Math.max(0, b.burst - 1) * interval;
  const r = await db.query<{ send_at: Date }>(
    `WITH cur AS (SELECT tenant_id, tat FROM ${table} WHERE tenant_id = $1 FOR UPDATE)
     UPDATE ${table} p SET tat = GREATEST(cur.tat, $2::timestamptz) + make_interval(secs => $3::float8)
     FROM cur WHERE p.tenant_id = cur.tenant_id
     RETURNING GREATEST($2::timestamptz, cur.tat - make_interval(secs => $4::float8)) AS send_at`,
    [tenantId, now, interval, tolerance],
  );
  const row = r.rows[0];
  if (row) return row.send_at;
  // A tenant without a pacing row (created by hand): create it and go now.
  await db.query(`INSERT INTO ${table} (tenant_id, tat) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenantId, new Date(now.getTime() + interval * 1000)]);
  return now;
}

/**
 * The CRM refused a request for its rate: its bucket is full (another integration on our IP, a
 * clock drifted). Mark ours full as well, so every process slows to the drain rate.
 */
export async function markBucketFull(db: Queryable, table: PacingTable, tenantId: string, now: Date, b: BucketSettings, extraMs = 0): Promise<void> {
  const interval = 1 / b.ratePerSec;
  const tolerance = Math.max(0, b.burst - 1) * interval;
  await db.query(`UPDATE ${table} SET tat = GREATEST(tat, $2::timestamptz + make_interval(secs => $3::float8)) WHERE tenant_id = $1`, [
    tenantId,
    now,
    tolerance + interval + extraMs / 1000,
  ]);
}
