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
 * | `intake`            | `b24:intake:<campaignId>:<fromId>`           | `b24:<tenant>:intake:<cid>`  |
 * | `attempt.writeback` | `b24:attempt:<attemptId>`                    | `b24:<tenant>:<DEAL_1>`      |
 * | `robot.return`      | `b24:robot.return:<runId>`                   | `b24:<tenant>:<DEAL_1>`      |
 * | `portal.uninstall`  | `b24:portal.uninstall:<tenant>:<eventId>`    | `b24:<tenant>:lifecycle`     |
 * | `portal.purge`      | `b24:portal.purge:<tenant>:<uninstalledAt>`  | none                         |
 */
export const jobPayloads = {
  'robot.sync': z.object({ templateId: z.uuid() }),
  'robot.intake': z.object({ runId: z.uuid() }),
  intake: z.object({ campaignId: z.uuid() }),
  'attempt.writeback': z.object({ attemptId: z.uuid(), document: z.string() }),
  'robot.return': z.object({ runId: z.uuid(), contactId: z.uuid().nullable(), status: z.enum(['reached', 'unreached', 'cancelled', 'no_phone', 'failed']) }),
  'portal.uninstall': z.object({ clean: z.boolean() }),
  'portal.purge': z.object({}),
} as const;
export type JobKind = keyof typeof jobPayloads;
export type JobPayload<K extends JobKind> = z.infer<(typeof jobPayloads)[K]>;

const EXPIRY_MS: Record<JobKind, number> = {
  'robot.sync': 7 * 24 * 3600_000,
  'robot.intake': 24 * 3600_000,
  intake: 24 * 3600_000,
  'attempt.writeback': 7 * 24 * 3600_000,
  'robot.return': 7 * 24 * 3600_000,
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
  j: { tenantId: string; kind: K; key: string; partition: string | null; payload: JobPayload<K>; notBefore?: Date },
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
    expiresAt: new Date(now.getTime() + EXPIRY_MS[j.kind]),
    now,
  });
  return added;
}

export const documentPartition = (tenantId: string, document: string) => `b24:${tenantId}:${document}`;
