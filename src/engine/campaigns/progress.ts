import type { Queryable } from '../../store/db.js';
import type { Campaign } from '../../store/repositories/campaigns.js';
import { countNumbersByStatusOf } from '../../store/repositories/numbers.js';

/**
 * How far a campaign has got, for progress bars (dashboard, campaign page): numbers called at least
 * once, reached (a person answered), still to call, and an estimate of the time left at the pace of
 * the last 15 minutes (only while it runs and calls are being made).
 */
export interface CampaignProgress {
  campaignId: string;
  numbers: Record<string, number>;
  total: number;
  /** Numbers that got at least one call (anything but new, and not cancelled before a call). */
  called: number;
  /** Numbers a person answered. */
  reached: number;
  /** Numbers still to be called: new, dialling, or waiting for a redial. */
  remaining: number;
  /** Numbers that are done (answered, not answered after every attempt, failed, closed, cancelled). */
  done: number;
  /** Calls made in the last 15 minutes, per minute. */
  callsPerMinute: number;
  /** Seconds to the end at that pace; null when unknown (not running, no recent calls). */
  etaSec: number | null;
}

const OPEN = new Set(['new', 'dialing', 'callback']);
const WINDOW_MIN = 15;

export async function campaignProgress(db: Queryable, campaigns: readonly Campaign[], now: Date): Promise<CampaignProgress[]> {
  if (campaigns.length === 0) return [];
  const ids = campaigns.map((c) => c.id);
  const counts = await countNumbersByStatusOf(db, ids);
  const pace = await db.query<{ campaign_id: string; n: string }>(
    `SELECT campaign_id, count(*) AS n FROM attempts
     WHERE campaign_id = ANY($1::uuid[]) AND created_at > $2 AND placed GROUP BY campaign_id`,
    [ids, new Date(now.getTime() - WINDOW_MIN * 60_000)],
  );
  const perMinute = new Map(pace.rows.map((r) => [r.campaign_id, Number(r.n) / WINDOW_MIN]));
  return campaigns.map((c) => {
    const numbers = counts.get(c.id) ?? {};
    const total = Object.values(numbers).reduce((a, b) => a + b, 0);
    const remaining = Object.entries(numbers).reduce((a, [s, n]) => a + (OPEN.has(s) ? n : 0), 0);
    const reached = numbers.answered ?? 0;
    const called = total - (numbers.new ?? 0) - (numbers.cancelled ?? 0);
    const rate = perMinute.get(c.id) ?? 0;
    return {
      campaignId: c.id,
      numbers,
      total,
      called: Math.max(0, called),
      reached,
      remaining,
      done: total - remaining,
      callsPerMinute: Math.round(rate * 100) / 100,
      etaSec: c.status === 'running' && rate > 0 && remaining > 0 ? Math.round((remaining / rate) * 60) : null,
    };
  });
}
