import type { Queryable } from '../../store/db.js';

/**
 * Call statistics (V6, T9) for a campaign or a template: numbers by status, reach, outcomes,
 * average durations, ineffective calls, AMD and gender split, results. One aggregate query each.
 */
export interface CallStats {
  attempts: { total: number; placed: number; technicalErrors: number };
  outcomes: Record<string, number>;
  results: Record<string, number>;
  amd: Record<string, number>;
  gender: Record<string, number>;
  /** Answered calls shorter than the template's threshold (T9). */
  ineffective: number;
  avgDurationSec: number | null;
  avgTalkSec: number | null;
  totalTalkSec: number;
}

export interface CampaignStats extends CallStats {
  numbers: Record<string, number>;
  contacts: { total: number; reached: number; unreached: number; cancelled: number; open: number };
  /** Reached contacts ÷ finished contacts. */
  reach: number | null;
}

async function callStats(db: Queryable, where: string, params: unknown[]): Promise<CallStats> {
  const r = await db.query<{
    total: string;
    placed: string;
    tech: string;
    ineffective: string;
    avg_duration: string | null;
    avg_talk: string | null;
    talk: string | null;
    outcomes: Record<string, number> | null;
    results: Record<string, number> | null;
    amd: Record<string, number> | null;
    gender: Record<string, number> | null;
  }>(
    `WITH a AS (
       -- Attempts the platform refused are technical errors, not calls.
       SELECT *, placed AS called, technical AS refused
       FROM attempts WHERE status = 'completed' AND ${where})
     SELECT count(*) AS total, count(*) FILTER (WHERE called) AS placed, count(*) FILTER (WHERE refused) AS tech,
       count(*) FILTER (WHERE ineffective) AS ineffective,
       avg(duration_sec) FILTER (WHERE called) AS avg_duration, avg(talk_sec) FILTER (WHERE answered_at IS NOT NULL) AS avg_talk,
       sum(talk_sec) AS talk,
       -- Outcomes of calls; a request the platform refused is a technical error (counted above), not "operator failure".
       (SELECT jsonb_object_agg(outcome, n) FROM (SELECT outcome, count(*) AS n FROM a WHERE outcome IS NOT NULL AND NOT refused GROUP BY outcome) x) AS outcomes,
       (SELECT jsonb_object_agg(result, n) FROM (SELECT result, count(*) AS n FROM a WHERE result IS NOT NULL GROUP BY result) x) AS results,
       (SELECT jsonb_object_agg(amd_verdict, n) FROM (SELECT amd_verdict, count(*) AS n FROM a WHERE amd_verdict IS NOT NULL AND called GROUP BY amd_verdict) x) AS amd,
       (SELECT jsonb_object_agg(gender, n) FROM (SELECT gender, count(*) AS n FROM a WHERE gender IS NOT NULL AND outcome = 'human' GROUP BY gender) x) AS gender
     FROM a`,
    params,
  );
  const x = r.rows[0]!;
  const num = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
  return {
    attempts: { total: Number(x.total), placed: Number(x.placed), technicalErrors: Number(x.tech) },
    outcomes: x.outcomes ?? {},
    results: x.results ?? {},
    amd: x.amd ?? {},
    gender: x.gender ?? {},
    ineffective: Number(x.ineffective),
    avgDurationSec: num(x.avg_duration),
    avgTalkSec: num(x.avg_talk),
    totalTalkSec: Number(x.talk ?? 0),
  };
}

export async function campaignStats(db: Queryable, tenantId: string, campaignId: string): Promise<CampaignStats> {
  const calls = await callStats(db, 'tenant_id = $1 AND campaign_id = $2', [tenantId, campaignId]);
  const numbers = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM campaign_numbers WHERE tenant_id = $1 AND campaign_id = $2 GROUP BY status',
    [tenantId, campaignId],
  );
  const contacts = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM campaign_contacts WHERE tenant_id = $1 AND campaign_id = $2 GROUP BY status',
    [tenantId, campaignId],
  );
  const c = Object.fromEntries(contacts.rows.map((r) => [r.status, Number(r.n)]));
  const reached = c.reached ?? 0;
  const unreached = c.unreached ?? 0;
  return {
    ...calls,
    numbers: Object.fromEntries(numbers.rows.map((r) => [r.status, Number(r.n)])),
    contacts: { total: Object.values(c).reduce((a, b) => a + b, 0), reached, unreached, cancelled: c.cancelled ?? 0, open: c.open ?? 0 },
    reach: reached + unreached > 0 ? Math.round((reached / (reached + unreached)) * 10_000) / 10_000 : null,
  };
}

export async function templateStats(db: Queryable, tenantId: string, templateId: string): Promise<CallStats> {
  return callStats(db, 'tenant_id = $1 AND template_id = $2', [tenantId, templateId]);
}

/** Calls and the ones a person answered, by hour of the day (0–23, in the campaign's time zone): when people pick up. */
export interface HourReach {
  hour: number;
  placed: number;
  answered: number;
}

/** The redial funnel: how many numbers got an n-th call, and how many of those calls were answered. */
export interface FunnelStep {
  attemptNo: number;
  placed: number;
  answered: number;
}

export async function campaignCharts(db: Queryable, tenantId: string, campaignId: string, timezone: string): Promise<{ byHour: HourReach[]; funnel: FunnelStep[] }> {
  const hours = await db.query<{ h: number; placed: string; answered: string }>(
    `SELECT extract(hour FROM created_at AT TIME ZONE $3)::int AS h, count(*) AS placed, count(*) FILTER (WHERE outcome = 'human') AS answered
     FROM attempts WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'completed' AND placed GROUP BY 1`,
    [tenantId, campaignId, timezone],
  );
  const byHour: HourReach[] = Array.from({ length: 24 }, (_, hour) => ({ hour, placed: 0, answered: 0 }));
  for (const r of hours.rows) byHour[r.h] = { hour: r.h, placed: Number(r.placed), answered: Number(r.answered) };
  const steps = await db.query<{ n: number; placed: string; answered: string }>(
    `SELECT attempt_no AS n, count(*) AS placed, count(*) FILTER (WHERE outcome = 'human') AS answered
     FROM attempts WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'completed' AND placed GROUP BY 1 ORDER BY 1`,
    [tenantId, campaignId],
  );
  return { byHour, funnel: steps.rows.map((r) => ({ attemptNo: Number(r.n), placed: Number(r.placed), answered: Number(r.answered) })) };
}
