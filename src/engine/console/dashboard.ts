import { DateTime } from 'luxon';
import type { AppContext } from '../../context.js';
import { listCampaigns, type Campaign } from '../../store/repositories/campaigns.js';
import { findTenant } from '../../store/repositories/tenants.js';
import { monthOf, monthUsage, tenantLimits } from '../campaigns/budget.js';
import { campaignProgress, type CampaignProgress } from '../campaigns/progress.js';

/**
 * The console's first screen: calls of today and of the last seven days by outcome (days in the
 * viewer's time zone), the campaigns that are not finished with their progress, and what needs
 * someone's attention — paused campaigns with the reason, a CRM connection that needs to be
 * authorised again, a minute budget nearly or wholly spent.
 */
export interface DayOutcomes {
  /** YYYY-MM-DD in the viewer's zone. */
  date: string;
  outcomes: Record<string, number>;
  total: number;
}

export type Alert =
  | { kind: 'campaign_paused'; campaignId: string; name: string; reason: string | null; detail: string | null; since: string }
  | { kind: 'crm_reauth'; crm: string; name: string; reason: string | null }
  | { kind: 'budget'; level: 'nearly' | 'spent'; minuteBudget: number; minutesUsed: number };

export interface LiveCampaign {
  id: string;
  name: string;
  status: string;
  statusReason: string | null;
  startAt: string | null;
  progress: CampaignProgress;
}

export interface Dashboard {
  timezone: string;
  today: DayOutcomes;
  week: DayOutcomes[];
  weekTotals: Record<string, number>;
  campaigns: LiveCampaign[];
  alerts: Alert[];
  usage: { month: string; minutesUsed: number; minuteBudget: number | null; callsPlaced: number };
}

/** A budget is "nearly spent" from this share on. */
const NEARLY = 0.8;
const LIVE_LIMIT = 20;

export async function dashboard(app: AppContext, tenantId: string, timezone: string): Promise<Dashboard> {
  const now = app.clock.now();
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const first = today.minus({ days: 6 });
  const r = await app.db.query<{ day: string; outcome: string; n: string }>(
    `SELECT to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, outcome, count(*) AS n
     FROM attempts
     WHERE tenant_id = $1 AND created_at >= $2 AND status = 'completed' AND outcome IS NOT NULL AND NOT technical
     GROUP BY 1, 2`,
    [tenantId, first.toJSDate(), timezone],
  );
  const week: DayOutcomes[] = [];
  for (let d = first; d <= today; d = d.plus({ days: 1 })) week.push({ date: d.toISODate()!, outcomes: {}, total: 0 });
  const byDate = new Map(week.map((d) => [d.date, d]));
  const weekTotals: Record<string, number> = {};
  for (const row of r.rows) {
    const d = byDate.get(row.day);
    if (!d) continue;
    const n = Number(row.n);
    d.outcomes[row.outcome] = (d.outcomes[row.outcome] ?? 0) + n;
    d.total += n;
    weekTotals[row.outcome] = (weekTotals[row.outcome] ?? 0) + n;
  }

  const open = (await listCampaigns(app.db, tenantId, { limit: 200 })).filter((c) => c.status !== 'completed');
  const live = open.slice(0, LIVE_LIMIT);
  const progress = await campaignProgress(app.db, live, now);
  const campaigns = live.map((c, i) => ({
    id: c.id,
    name: c.name,
    status: c.status,
    statusReason: c.statusReason,
    startAt: c.startAt?.toISOString() ?? null,
    progress: progress[i]!,
  }));

  const alerts: Alert[] = open.filter((c) => c.status === 'paused').map((c: Campaign) => ({
    kind: 'campaign_paused' as const,
    campaignId: c.id,
    name: c.name,
    reason: c.statusReason,
    detail: c.statusReason === 'manual' ? null : c.statusDetail,
    since: c.updatedAt.toISOString(),
  }));
  const tenant = await findTenant(app.db, tenantId);
  if (tenant && tenant.kind !== 'console' && tenant.status === 'needs_reauth') {
    alerts.unshift({ kind: 'crm_reauth', crm: tenant.kind, name: tenant.name, reason: tenant.statusReason });
  }
  const limits = await tenantLimits(app.db, tenantId);
  const month = monthOf(now);
  const used = await monthUsage(app.db, tenantId, month);
  const minutesUsed = Math.ceil(used.secondsUsed / 60);
  if (limits.minuteBudget !== null && minutesUsed >= limits.minuteBudget * NEARLY) {
    alerts.unshift({ kind: 'budget', level: minutesUsed >= limits.minuteBudget ? 'spent' : 'nearly', minuteBudget: limits.minuteBudget, minutesUsed });
  }

  return {
    timezone,
    today: week[week.length - 1]!,
    week,
    weekTotals,
    campaigns,
    alerts,
    usage: { month, minutesUsed, minuteBudget: limits.minuteBudget, callsPlaced: used.callsPlaced },
  };
}
