import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { findCampaignById, type Campaign } from '../../store/repositories/campaigns.js';
import { loadRuntime } from './runtime.js';

/**
 * Re-plans when open numbers may be called: after the conditions changed (new window, new zone
 * handling), after a resume, and for numbers whose window closed before the dispatcher reached them.
 * Works in keyset chunks so a million-number campaign is re-planned with bounded memory.
 */
async function replan(
  app: AppContext,
  db: Queryable,
  campaign: Campaign,
  extraWhere: string,
  extraParams: unknown[],
  floor: Date | null,
): Promise<number> {
  const rt = await loadRuntime(db, campaign);
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const rows = await db.query<{ id: string; zone_key: string; ready_at: Date }>(
      `SELECT id, zone_key, ready_at FROM campaign_numbers
       WHERE campaign_id = $1 AND status IN ('new', 'callback') AND id > $2 ${extraWhere}
       ORDER BY id LIMIT 5000`,
      [campaign.id, after, ...extraParams],
    );
    if (rows.rows.length === 0) return total;
    const plans = rows.rows.map((r) => {
      const from = floor && floor > r.ready_at ? floor : r.ready_at;
      return { id: r.id, ...rt.planner.plan(r.zone_key, from) };
    });
    await db.query(
      `UPDATE campaign_numbers n SET next_attempt_at = p.next_at, due_until = p.due
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS p(id, next_at, due)
       WHERE n.id = ANY($1::uuid[]) AND n.id = p.id AND n.status IN ('new', 'callback')`,
      [plans.map((p) => p.id), plans.map((p) => p.nextAttemptAt), plans.map((p) => p.dueUntil)],
    );
    total += plans.length;
    after = rows.rows[rows.rows.length - 1]!.id;
  }
}

export async function replanOpenNumbers(app: AppContext, campaign: Campaign): Promise<number> {
  return replan(app, app.db, campaign, '', [], null);
}

/** Numbers whose window closed before they were called: plan them into their next window. */
export async function replanMissedWindows(app: AppContext): Promise<number> {
  const now = app.clock.now();
  // Per campaign, so the query walks the (campaign_id, due_until) index instead of the whole table.
  const campaigns = await app.db.query<{ id: string }>(
    `SELECT c.id FROM campaigns c WHERE c.deleted_at IS NULL AND c.status <> 'completed' AND EXISTS (
       SELECT 1 FROM campaign_numbers n WHERE n.campaign_id = c.id AND n.status IN ('new', 'callback')
         AND n.due_until IS NOT NULL AND n.due_until <= $1)`,
    [now],
  );
  let total = 0;
  for (const { id } of campaigns.rows) {
    const c = await findCampaignById(app.db, id);
    if (!c) continue;
    total += await replan(app, app.db, c, 'AND due_until IS NOT NULL AND due_until <= $3', [now], now);
  }
  return total;
}
