import type { Queryable } from '../../../store/db.js';

/**
 * `amo_pacing`: besides the GCRA row (src/crm/shared/gcra.ts), a block after a 403 — amoCRM's
 * ban (brief §3, gotcha 4). While blocked, nothing is sent to the account by any process; one
 * probe an hour checks whether support has lifted it.
 */
export interface Block {
  until: Date;
  reason: string;
}

export async function findBlock(db: Queryable, tenantId: string, now: Date): Promise<Block | undefined> {
  const r = await db.query<{ blocked_until: Date | null; blocked_reason: string | null }>('SELECT blocked_until, blocked_reason FROM amo_pacing WHERE tenant_id = $1', [tenantId]);
  const row = r.rows[0];
  return row?.blocked_until && row.blocked_until > now ? { until: row.blocked_until, reason: row.blocked_reason ?? 'blocked' } : undefined;
}

export async function setBlock(db: Queryable, tenantId: string, until: Date, reason: string): Promise<void> {
  await db.query(
    `INSERT INTO amo_pacing (tenant_id, blocked_until, blocked_reason) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET blocked_until = GREATEST(COALESCE(amo_pacing.blocked_until, $2), $2), blocked_reason = $3`,
    [tenantId, until, reason],
  );
}

export async function clearBlock(db: Queryable, tenantId: string): Promise<void> {
  await db.query('UPDATE amo_pacing SET blocked_until = NULL, blocked_reason = NULL WHERE tenant_id = $1', [tenantId]);
}
