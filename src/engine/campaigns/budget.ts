import type { Queryable } from '../../store/db.js';

/**
 * The per-tenant budget (J6 "limits exhausted"): billable seconds per calendar month against
 * `limits.minuteBudget` (minutes; absent = unlimited) and, optionally, money spent on calls against
 * `limits.costBudget` (the platforms' reported costs, or minutes × the configured rate, in one currency).
 */
export const monthOf = (at: Date): string => at.toISOString().slice(0, 7);

export interface TenantLimits {
  /** Minutes per month; null = unlimited. */
  minuteBudget: number | null;
  /** Calls at once across all the tenant's campaigns. */
  maxConcurrentCalls: number;
  /** Money per month on calls, in one currency (costs in other currencies do not count); null = unlimited. */
  costBudget: { amount: number; currency: string } | null;
}

export const DEFAULT_LIMITS: TenantLimits = { minuteBudget: null, maxConcurrentCalls: 100, costBudget: null };

type LimitSettings = { limits?: Partial<TenantLimits> } | null | undefined;
const limitsOf = (settings: LimitSettings): TenantLimits => ({ ...DEFAULT_LIMITS, ...(settings?.limits ?? {}) });

export async function tenantLimits(db: Queryable, tenantId: string): Promise<TenantLimits> {
  const r = await db.query<{ settings: LimitSettings }>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
  return limitsOf(r.rows[0]?.settings);
}

/** Money spent this month in the budget's currency has reached the budget. */
const costExhausted = (limits: TenantLimits, costs: Record<string, number>): boolean =>
  limits.costBudget !== null && (costs[limits.costBudget.currency] ?? 0) >= limits.costBudget.amount;

/**
 * Usage and costs are kept in USAGE_SHARDS rows per tenant and month (and currency), each
 * completed call adding to one picked at random: with a single row, every completion waited for
 * the previous one's transaction to release it (migration 0062). Reads add the rows up.
 */
const USAGE_SHARDS = 16;
const randomShard = (): number => Math.floor(Math.random() * USAGE_SHARDS);

async function monthCosts(db: Queryable, tenantId: string, month: string): Promise<Record<string, number>> {
  const r = await db.query<{ currency: string; amount: string }>(
    'SELECT currency, sum(amount) AS amount FROM tenant_costs WHERE tenant_id = $1 AND month = $2 GROUP BY currency',
    [tenantId, month],
  );
  return Object.fromEntries(r.rows.map((x) => [x.currency, Number(x.amount)]));
}

async function monthSeconds(db: Queryable, tenantId: string, month: string): Promise<{ seconds: number; calls: number }> {
  const r = await db.query<{ s: string | null; n: string | null }>(
    'SELECT sum(seconds_used) AS s, sum(calls_placed) AS n FROM tenant_usage WHERE tenant_id = $1 AND month = $2',
    [tenantId, month],
  );
  return { seconds: Number(r.rows[0]?.s ?? 0), calls: Number(r.rows[0]?.n ?? 0) };
}

/** What the tenant has used in a month ("2026-11"): seconds, calls, and money per currency. */
export async function monthUsage(db: Queryable, tenantId: string, month: string): Promise<{ secondsUsed: number; callsPlaced: number; costs: Record<string, number> }> {
  const { seconds, calls } = await monthSeconds(db, tenantId, month);
  return { secondsUsed: seconds, callsPlaced: calls, costs: await monthCosts(db, tenantId, month) };
}

/** Seconds left this month (Infinity when unlimited, 0 when the money budget is spent); pass `limits` when they were just read. */
export async function budgetLeft(db: Queryable, tenantId: string, now: Date, limits?: TenantLimits): Promise<number> {
  const l = limits ?? (await tenantLimits(db, tenantId));
  if (l.minuteBudget === null && l.costBudget === null) return Infinity;
  const usage = await monthUsage(db, tenantId, monthOf(now));
  if (costExhausted(l, usage.costs)) return 0;
  return l.minuteBudget === null ? Infinity : l.minuteBudget * 60 - usage.secondsUsed;
}

/**
 * Adds a placed call's billable time (whole seconds, rounded up) and its cost; returns the seconds
 * left (0 once the money budget is spent).
 */
export async function chargeCall(db: Queryable, tenantId: string, seconds: number, now: Date, cost?: { amount: number; currency: string } | null): Promise<number> {
  const month = monthOf(now);
  // The tenant's limits come back with the write: one statement fewer at the end of every call.
  const r = await db.query<{ settings: LimitSettings }>(
    `WITH used AS (
       INSERT INTO tenant_usage (tenant_id, month, shard, seconds_used, calls_placed) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (tenant_id, month, shard) DO UPDATE SET seconds_used = tenant_usage.seconds_used + $4, calls_placed = tenant_usage.calls_placed + 1
       RETURNING 1)
     SELECT (SELECT settings FROM tenants WHERE id = $1) AS settings FROM used`,
    [tenantId, month, randomShard(), Math.ceil(seconds)],
  );
  const limits = limitsOf(r.rows[0]?.settings);
  if (cost && cost.amount > 0) {
    await db.query(
      `INSERT INTO tenant_costs (tenant_id, month, currency, shard, amount) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, month, currency, shard) DO UPDATE SET amount = tenant_costs.amount + $5`,
      [tenantId, month, cost.currency, randomShard(), cost.amount],
    );
  }
  if (limits.costBudget !== null && costExhausted(limits, await monthCosts(db, tenantId, month))) return 0;
  if (limits.minuteBudget === null) return Infinity;
  return limits.minuteBudget * 60 - (await monthSeconds(db, tenantId, month)).seconds;
}
