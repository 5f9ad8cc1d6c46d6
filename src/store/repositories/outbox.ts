import type { Queryable } from '../db.js';
import { newId } from '../ids.js';

/**
 * The outbox: every write to the outside world (CRM, webhook, e-mail) is a row first, written in
 * the same transaction as the change that caused it, then delivered by a worker with retries. The
 * idempotency key makes a repeated enqueue harmless; the partition key keeps one target's writes
 * in order.
 */
export type OutboxChannel = 'webhook' | 'email' | 'bitrix24' | 'amocrm';

export interface OutboxJob {
  id: string;
  tenantId: string;
  channel: OutboxChannel;
  kind: string;
  idempotencyKey: string;
  partitionKey: string | null;
  payload: Record<string, unknown>;
  state: Record<string, unknown>;
  status: 'pending' | 'done' | 'dead';
  /** Claims so far (including those whose worker died before answering). */
  attempts: number;
  /** Failed tries since the job was created, planned waits not counted: what retries back off by. */
  failures: number;
  nextAttemptAt: Date;
  expiresAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

interface OutboxRow {
  id: string;
  tenant_id: string;
  channel: OutboxChannel;
  kind: string;
  idempotency_key: string;
  partition_key: string | null;
  payload: Record<string, unknown>;
  state: Record<string, unknown>;
  status: OutboxJob['status'];
  attempts: number;
  failures: number;
  next_attempt_at: Date;
  expires_at: Date | null;
  last_error: string | null;
  created_at: Date;
  done_at: Date | null;
}

const toJob = (r: OutboxRow): OutboxJob => ({
  id: r.id,
  tenantId: r.tenant_id,
  channel: r.channel,
  kind: r.kind,
  idempotencyKey: r.idempotency_key,
  partitionKey: r.partition_key,
  payload: r.payload,
  state: r.state,
  status: r.status,
  attempts: r.attempts,
  failures: r.failures,
  nextAttemptAt: r.next_attempt_at,
  expiresAt: r.expires_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  doneAt: r.done_at,
});

export interface NewOutboxJob {
  tenantId: string;
  channel: OutboxChannel;
  kind: string;
  idempotencyKey: string;
  partitionKey?: string | null;
  payload: Record<string, unknown>;
  /** Deliver no earlier than this. */
  notBefore?: Date;
  /** Stop retrying (status dead) after this. */
  expiresAt?: Date | null;
  /** The handler's progress to start from (a job queued already waiting for something). */
  state?: Record<string, unknown>;
  now: Date;
}

/** Enqueues a job; false when a job with the same idempotency key already exists. */
export async function enqueue(db: Queryable, j: NewOutboxJob): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO outbox (id, tenant_id, channel, kind, idempotency_key, partition_key, payload, next_attempt_at, expires_at, created_at, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING`,
    [newId(), j.tenantId, j.channel, j.kind, j.idempotencyKey, j.partitionKey ?? null, JSON.stringify(j.payload), j.notBefore ?? j.now, j.expiresAt ?? null, j.now, JSON.stringify(j.state ?? {})],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Claims due jobs for this worker. A job waits while an older pending job of its partition exists
 * (one target's writes in order). Rows are leased, so a crashed worker's jobs come back.
 * `running`: jobs this worker is still handling — never taken again by it, even when their lease
 * looks expired (a clock moved ahead of a renewal).
 */
export async function claimOutboxBatch(
  db: Queryable,
  p: { worker: string; now: Date; leaseMs: number; limit: number; channels: readonly OutboxChannel[]; running?: readonly string[] },
): Promise<OutboxJob[]> {
  const r = await db.query<OutboxRow>(
    `WITH due AS (
       SELECT o.id FROM outbox o
       WHERE o.status = 'pending' AND o.next_attempt_at <= $2 AND o.channel = ANY($5::text[])
         AND (o.locked_until IS NULL OR o.locked_until < $2)
         AND o.id <> ALL($6::uuid[])
         AND (o.partition_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM outbox e WHERE e.partition_key = o.partition_key AND e.status = 'pending'
             AND (e.created_at, e.id) < (o.created_at, o.id)))
       ORDER BY o.next_attempt_at, o.id
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE outbox o SET locked_by = $1, locked_until = $2::timestamptz + ($3 || ' milliseconds')::interval, attempts = o.attempts + 1
     FROM due WHERE o.id = due.id
     RETURNING o.*`,
    [p.worker, p.now, String(p.leaseMs), p.limit, p.channels, p.running ?? []],
  );
  return r.rows.map(toJob);
}

export async function markOutboxDone(db: Queryable, id: string, worker: string, now: Date, state?: Record<string, unknown>): Promise<void> {
  await db.query(
    `UPDATE outbox SET status = 'done', done_at = $3, locked_by = NULL, locked_until = NULL, last_error = NULL, waits_for = NULL,
       state = COALESCE($4::jsonb, state)
     WHERE id = $1 AND locked_by = $2`,
    [id, worker, now, state ? JSON.stringify(state) : null],
  );
}

/**
 * Schedules a retry, or gives up (dead) when the job has expired or the failure is final.
 * `waitsFor`: what the job waits for — `signalOutbox` with that name makes it due at once.
 */
export async function markOutboxFailed(
  db: Queryable,
  id: string,
  worker: string,
  p: { error: string; retryAt: Date | null; now: Date; state?: Record<string, unknown> | undefined; wait?: boolean; waitsFor?: string | undefined },
): Promise<'retry' | 'dead'> {
  const r = await db.query<{ status: 'pending' | 'dead' }>(
    `UPDATE outbox SET
       status = CASE WHEN $3::timestamptz IS NULL OR (expires_at IS NOT NULL AND $3::timestamptz > expires_at) THEN 'dead' ELSE 'pending' END,
       next_attempt_at = COALESCE($3, next_attempt_at), last_error = left($4, 2000), locked_by = NULL, locked_until = NULL,
       done_at = CASE WHEN $3::timestamptz IS NULL OR (expires_at IS NOT NULL AND $3::timestamptz > expires_at) THEN $5::timestamptz ELSE NULL END,
       state = COALESCE($6::jsonb, state), failures = failures + CASE WHEN $7::boolean THEN 0 ELSE 1 END, waits_for = $8
     WHERE id = $1 AND locked_by = $2 RETURNING status`,
    [id, worker, p.retryAt, p.error, p.now, p.state ? JSON.stringify(p.state) : null, p.wait === true, p.waitsFor ?? null],
  );
  return r.rows[0]?.status === 'dead' ? 'dead' : 'retry';
}

/**
 * Keeps a job leased to its worker while the handler still runs (a portal that keeps refusing can
 * make a write take longer than the lease); false when the job is no longer this worker's.
 */
export async function extendOutboxLease(db: Queryable, id: string, worker: string, until: Date): Promise<boolean> {
  const r = await db.query(`UPDATE outbox SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND status = 'pending'`, [id, worker, until]);
  return (r.rowCount ?? 0) > 0;
}

/** Saves progress of a multi-step write so a retry continues where it stopped. */
export async function checkpointOutbox(db: Queryable, id: string, worker: string, state: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE outbox SET state = $3 WHERE id = $1 AND locked_by = $2', [id, worker, JSON.stringify(state)]);
}

/**
 * What pending jobs waited for has happened: those that named one of `signals` (markOutboxFailed's
 * `waitsFor`) are due now. Returns how many were woken; the caller wakes this process's worker.
 */
export async function signalOutbox(db: Queryable, signals: readonly string[], now: Date): Promise<number> {
  if (signals.length === 0) return 0;
  const r = await db.query(
    `UPDATE outbox SET next_attempt_at = LEAST(next_attempt_at, $2), waits_for = NULL WHERE waits_for = ANY($1::text[]) AND status = 'pending'`,
    [signals, now],
  );
  return r.rowCount ?? 0;
}
