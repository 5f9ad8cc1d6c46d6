import type { Queryable } from '../db.js';
import { toNumber, type CampaignNumber, type NumberRow } from '../repositories/numbers.js';

/**
 * The dispatcher's claim, one statement: the campaign's due numbers inside their calling window,
 * the soonest-closing window first (as JAICP does), locked with SKIP LOCKED so concurrent workers
 * never take the same row, and leased to this worker.
 *
 * It walks the partial index campaign_numbers_due_idx (campaign_id, due_until, next_attempt_at)
 * WHERE status IN ('new','callback'): finished numbers are not in the index at all, so the claim
 * costs the same with 1,000 or 1,000,000 finished rows (see bench "dispatcher_overhead_per_number").
 */
export async function claimDueNumbers(
  db: Queryable,
  p: { campaignId: string; now: Date; limit: number; worker: string; leaseUntil: Date },
): Promise<CampaignNumber[]> {
  if (p.limit <= 0) return [];
  const r = await db.query<NumberRow>(
    `WITH due AS (
       SELECT id FROM campaign_numbers
       WHERE campaign_id = $1 AND status IN ('new', 'callback') AND next_attempt_at <= $2
         AND (due_until IS NULL OR due_until > $2)
       ORDER BY due_until NULLS LAST, next_attempt_at, id
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     )
     UPDATE campaign_numbers n SET status = 'dialing', locked_by = $4, locked_until = $5, updated_at = $2
     FROM due WHERE n.id = due.id
     RETURNING n.*`,
    [p.campaignId, p.now, p.limit, p.worker, p.leaseUntil],
  );
  // RETURNING order is unspecified: keep the claim order for slot assignment.
  return r.rows.map(toNumber).sort((a, b) => (a.dueUntil?.getTime() ?? Infinity) - (b.dueUntil?.getTime() ?? Infinity) || a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

/**
 * Is anything due in this campaign right now? (Cheap pre-check before locking.) Ordered like the
 * claim, so that it walks campaign_numbers_due_idx and stops at the first due row: unordered, the
 * planner gathered every waiting number first (14.6 ms with 100,000 waiting on PGlite, per tick).
 */
export async function hasDueNumbers(db: Queryable, campaignId: string, now: Date): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new', 'callback') AND next_attempt_at <= $2
       AND (due_until IS NULL OR due_until > $2)
     ORDER BY due_until NULLS LAST, next_attempt_at, id LIMIT 1`,
    [campaignId, now],
  );
  return r.rows.length > 0;
}
