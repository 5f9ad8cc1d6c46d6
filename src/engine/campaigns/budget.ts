import type { Queryable } from '../../store/db.js';

/**
 * The per-tenant minute budget (J6 "limits exhausted"): billable seconds per calendar month
 * against `tenants.settings.minuteBudget` (minutes; absent = unlimited).
 */
export const monthOf = (at: Date): string => at.toISOString().slice(0, 7);

export interface TenantLimits {
  /** Minutes per month; null = unlimited. */
  minuteBudget: number | null;
  /** Calls at once across all the tenant's campaigns. */
  maxConcurrentCalls: number;
}

export const DEFAULT_LIMITS: TenantLimits = { minuteBudget: null, maxConcurrentCalls: 100 };

export async function tenantLimits(db: Queryable, tenantId: string): Promise<TenantLimits> {
  const r = await db.query<{ settings: { limits?: Partial<TenantLimits> } }>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
  return { ...DEFAULT_LIMITS, ...(r.rows[0]?.settings.limits ?? {}) };
}

const secondsLeft = (limits: TenantLimits, used: string | undefined): number =>
  limits.minuteBudget === null ? Infinity : limits.minuteBudget * 60 - Number(used ?? 0);

/** What the tenant has used in a month ("2026-11"). */
export async function monthUsage(db: Queryable, tenantId: string, month: string): Promise<{ secondsUsed: number; callsPlaced: number }> {
  const r = await db.query<{ s: string; n: number }>('SELECT seconds_used AS s, calls_placed AS n FROM tenant_usage WHERE tenant_id = $1 AND month = $2', [tenantId, month]);
  return { secondsUsed: Number(r.rows[0]?.s ?? 0), callsPlaced: r.rows[0]?.n ?? 0 };
}

/** Seconds left this month (Infinity when unlimited); pass `limits` when they were just read. */
export async function budgetLeft(db: Queryable, tenantId: string, now: Date, limits?: TenantLimits): Promise<number> {
  const l = limits ?? (await tenantLimits(db, tenantId));
  if (l.minuteBudget === null) return Infinity;
  return l.minuteBudget * 60 - (await monthUsage(db, tenantId, monthOf(now))).secondsUsed;
}

/** Adds a placed call's billable time (whole seconds, rounded up); returns the seconds left. */
export async function chargeCall(db: Queryable, tenantId: string, seconds: number, now: Date): Promise<number> {
  const r = await db.query<{ s: string }>(
    `INSERT INTO tenant_usage (tenant_id, month, seconds_used, calls_placed) VALUES ($1, $2, $3, 1)
     ON CONFLICT (tenant_id, month) DO UPDATE SET seconds_used = tenant_usage.seconds_used + $3, calls_placed = tenant_usage.calls_placed + 1
     RETURNING seconds_used AS s`,
    [tenantId, monthOf(now), Math.ceil(seconds)],
  );
  return secondsLeft(await tenantLimits(db, tenantId), r.rows[0]?.s);
}
