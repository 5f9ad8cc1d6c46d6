import type { Queryable } from '../../../store/db.js';

/**
 * The portal's leaky bucket as seen by every Dozvon process: GCRA on one row (`b24_portal_pacing`).
 * A bucket that drains `rate` requests per second and holds `burst` is the same as GCRA with
 * emission interval T = 1/rate and tolerance A = (burst − 1)·T: a request at time s conforms when
 * s ≥ tat − A, and moves tat to max(tat, s) + T.
 *
 * `reserveSlot` books the earliest conforming moment in one statement (row-locked for the few
 * microseconds of the update), so two processes never take the same slot; the caller sleeps until
 * the returned time. A booked slot in the future is fine: the scheduler fills the wait with more
 * commands for the same request (that is how writes get batched under load).
 */
export interface BucketSettings {
  /** Requests drained per second (already reduced by the safety margin). */
  ratePerSec: number;
  /** Bucket size (already reduced by the safety margin). */
  burst: number;
}

export async function reserveSlot(db: Queryable, tenantId: string, now: Date, b: BucketSettings): Promise<Date> {
  const interval = 1 / b.ratePerSec;
  const tolerance = Math.max(0, b.burst - 1) * interval;
  const r = await db.query<{ send_at: Date }>(
    `WITH cur AS (SELECT tenant_id, tat FROM b24_portal_pacing WHERE tenant_id = $1 FOR UPDATE)
     UPDATE b24_portal_pacing p SET tat = GREATEST(cur.tat, $2::timestamptz) + make_interval(secs => $3::float8)
     FROM cur WHERE p.tenant_id = cur.tenant_id
     RETURNING GREATEST($2::timestamptz, cur.tat - make_interval(secs => $4::float8)) AS send_at`,
    [tenantId, now, interval, tolerance],
  );
  const row = r.rows[0];
  if (row) return row.send_at;
  // A portal row without a pacing row (created by hand): create it and go now.
  await db.query('INSERT INTO b24_portal_pacing (tenant_id, tat) VALUES ($1, $2) ON CONFLICT DO NOTHING', [tenantId, new Date(now.getTime() + interval * 1000)]);
  return now;
}

/**
 * The portal answered 503 QUERY_LIMIT_EXCEEDED: its bucket is full (other apps on our IP share
 * it, or a clock drifted). Mark ours full as well, so every process slows to the drain rate.
 */
export async function markBucketFull(db: Queryable, tenantId: string, now: Date, b: BucketSettings): Promise<void> {
  const interval = 1 / b.ratePerSec;
  const tolerance = Math.max(0, b.burst - 1) * interval;
  await db.query(
    `UPDATE b24_portal_pacing SET tat = GREATEST(tat, $2::timestamptz + make_interval(secs => $3::float8)) WHERE tenant_id = $1`,
    [tenantId, now, tolerance + interval],
  );
}
