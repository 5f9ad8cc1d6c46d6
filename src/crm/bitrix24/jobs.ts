import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { enqueue } from '../../store/repositories/outbox.js';

/**
 * The Bitrix24 outbox jobs (channel `bitrix24`). Every read or write the adapter does in the
 * background is one of these, queued in the transaction that caused it, delivered with retries.
 * Idempotency keys make a repeated enqueue harmless; partition keys keep one CRM document's jobs
 * in order (its intake, then each attempt's timeline entry, then the robot's return values).
 *
 * | kind                | idempotency key                              | partition                    |
 * | ------------------- | -------------------------------------------- | ---------------------------- |
 * | `robot.sync`        | `b24:robot.sync:<templateId>:<changeId>`     | `b24:<tenant>:robots`        |
 * | `robot.intake`      | `b24:robot.intake:<runId>`                   | `b24:<tenant>:<DEAL_1>`      |
 * | `robot.queued`      | `b24:robot.queued:<runId>`                   | none (due a minute later)    |
 * | `intake`            | `b24:intake:<campaignId>:<fromId>`           | `b24:<tenant>:intake:<cid>`  |
 * | `attempt.writeback` | `b24:attempt:<attemptId>`                    | `b24:<tenant>:<DEAL_1>`      |
 * | `robot.return`      | `b24:robot.return:<runId>`                   | none (see queueRobotReturn)  |
 * | `trigger.fire`      | `b24:trigger:<contactId>`                    | `b24:<tenant>:<DEAL_1>`      |
 * | `portal.uninstall`  | `b24:portal.uninstall:<tenant>:<eventId>`    | `b24:<tenant>:lifecycle`     |
 * | `portal.purge`      | `b24:portal.purge:<tenant>:<uninstalledAt>`  | none                         |
 */
export const jobPayloads = {
  'robot.sync': z.object({ templateId: z.uuid() }),
  'robot.intake': z.object({ runId: z.uuid() }),
  /** The workflow-log line of a run not called within a minute of its intake (intake/queuedLine.ts). */
  'robot.queued': z.object({ runId: z.uuid() }),
  intake: z.object({ campaignId: z.uuid() }),
  'attempt.writeback': z.object({ attemptId: z.uuid(), document: z.string() }),
  /**
   * The robot's answer. One job per run, created when the call arrives (due at its answer-by time)
   * and brought forward when the answer is due earlier. `status` is the intake's verdict when the
   * document could not be called at all; otherwise the contact's state decides (older rows carry
   * the contact's status here, which is read the same way).
   */
  'robot.return': z.object({
    runId: z.uuid(),
    contactId: z.uuid().nullable().default(null),
    status: z.enum(['reached', 'unreached', 'cancelled', 'no_phone', 'failed']).optional(),
  }),
  /** The app triggers for a document whose number is done (crm.automation.trigger.execute). */
  'trigger.fire': z.object({ contactId: z.uuid(), document: z.string(), status: z.enum(['reached', 'unreached', 'cancelled']) }),
  'portal.uninstall': z.object({ clean: z.boolean() }),
  'portal.purge': z.object({}),
} as const;
export type JobKind = keyof typeof jobPayloads;
export type JobPayload<K extends JobKind> = z.infer<(typeof jobPayloads)[K]>;

const EXPIRY_MS: Record<JobKind, number> = {
  'robot.sync': 7 * 24 * 3600_000,
  'robot.intake': 24 * 3600_000,
  'robot.queued': 24 * 3600_000,
  intake: 24 * 3600_000,
  'attempt.writeback': 7 * 24 * 3600_000,
  'robot.return': 7 * 24 * 3600_000,
  'trigger.fire': 7 * 24 * 3600_000,
  'portal.uninstall': 7 * 24 * 3600_000,
  // Due after the recovery window (30 days), then retried for a week.
  'portal.purge': 37 * 24 * 3600_000,
};

/**
 * Queues a job in the caller's transaction. The caller nudges the outbox (`app.wake.outbox()`)
 * after its commit — a nudge before it would find nothing and the job would wait for the next poll.
 */
export async function enqueueB24<K extends JobKind>(
  app: AppContext,
  tx: Queryable,
  j: { tenantId: string; kind: K; key: string; partition: string | null; payload: JobPayload<K>; notBefore?: Date; state?: Record<string, unknown> },
): Promise<boolean> {
  const now = app.clock.now();
  const added = await enqueue(tx, {
    tenantId: j.tenantId,
    channel: 'bitrix24',
    kind: j.kind,
    idempotencyKey: j.key,
    partitionKey: j.partition,
    payload: j.payload as Record<string, unknown>,
    notBefore: j.notBefore,
    state: j.state,
    expiresAt: new Date(now.getTime() + EXPIRY_MS[j.kind]),
    now,
  });
  return added;
}

export const documentPartition = (tenantId: string, document: string) => `b24:${tenantId}:${document}`;

export const robotReturnKey = (runId: string) => `b24:robot.return:${runId}`;

export const robotQueuedKey = (runId: string) => `b24:robot.queued:${runId}`;

export const attemptWritebackKey = (attemptId: string) => `b24:attempt:${attemptId}`;

/** The document's call write-back is still to be written (a robot's answer lets it go first). */
export async function writebackPending(db: Queryable, tenantId: string, document: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM outbox WHERE partition_key = $1 AND status = 'pending' AND kind = 'attempt.writeback' LIMIT 1`, [documentPartition(tenantId, document)]);
  return r.rows.length > 0;
}

/**
 * Makes a run's answer due at `at` (or sooner, if it already is): the job created when the call
 * arrived is brought forward, with what the caller learned merged into its payload; a run without
 * a deadline has no job yet and gets one. Not in the document's partition: that would hold every
 * later write of the deal behind an answer due in ten minutes — the handler waits for the document's
 * pending write-back itself. (A handler deciding "not yet" at the very moment a hook brings the job
 * forward may push it back to its answer-by time: still before Bitrix24's deadline.)
 */
/**
 * A run's answer that waits for the document's call write-back (returnToRobot checkpoints
 * `awaits: 'writeback'`) is due the moment that write-back is recorded done — woken here instead of
 * polling for it.
 */
export async function nudgeRobotReturn(db: Queryable, runId: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE outbox SET next_attempt_at = $2 WHERE idempotency_key = $1 AND status = 'pending' AND next_attempt_at > $2 AND state->>'awaits' = 'writeback'`,
    [robotReturnKey(runId), now],
  );
}

export async function queueRobotReturn(
  app: AppContext,
  tx: Queryable,
  p: { tenantId: string; runId: string; at: Date; payload: JobPayload<'robot.return'>; state?: Record<string, unknown> },
): Promise<void> {
  const key = robotReturnKey(p.runId);
  const moved = await tx.query(
    `UPDATE outbox SET next_attempt_at = LEAST(next_attempt_at, $2), payload = payload || $3::jsonb, state = COALESCE(state, '{}'::jsonb) || $4::jsonb
     WHERE idempotency_key = $1 AND status = 'pending'`,
    [key, p.at, JSON.stringify(p.payload), JSON.stringify(p.state ?? {})],
  );
  if ((moved.rowCount ?? 0) > 0) return;
  // A job that is done or dead already stays so (the enqueue is a no-op on its key).
  await enqueueB24(app, tx, { tenantId: p.tenantId, kind: 'robot.return', key, partition: null, payload: p.payload, notBefore: p.at, state: p.state });
}
