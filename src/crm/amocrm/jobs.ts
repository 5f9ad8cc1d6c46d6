import { z } from 'zod';
import type { Queryable } from '../../store/db.js';
import { enqueue } from '../../store/repositories/outbox.js';
import type { AmoContext } from './amoContext.js';

/**
 * The amoCRM outbox jobs (channel `amocrm`). Every read or write the adapter does in the background
 * is one of these, queued in the transaction that caused it and delivered with retries. Idempotency
 * keys make a repeated enqueue harmless; partition keys keep one lead's jobs in order (its intake,
 * then each call's write-back).
 *
 * | kind                | idempotency key                         | partition                      |
 * | ------------------- | --------------------------------------- | ------------------------------ |
 * | `intake`            | `amo:intake:<campaignId>:<position>`    | `amo:<tenant>:intake:<cid>`    |
 * | `dp.intake`         | `amo:dp:<tenant>:<eventKey>`            | `amo:<tenant>:lead:<leadId>`   |
 * | `attempt.writeback` | `amo:attempt:<attemptId>`               | `amo:<tenant>:lead:<leadId>`   |
 */
export const jobPayloads = {
  intake: z.object({ campaignId: z.uuid() }),
  'dp.intake': z.object({
    eventKey: z.string().min(1).max(200),
    leadId: z.number().int().positive(),
    templateId: z.uuid(),
    maxAttempts: z.number().int().min(1).max(99).nullable(),
    pipelineId: z.number().int().nonnegative().nullable(),
    statusId: z.number().int().nonnegative().nullable(),
  }),
  'attempt.writeback': z.object({ attemptId: z.uuid(), leadId: z.number().int().positive() }),
} as const;
export type JobKind = keyof typeof jobPayloads;
export type JobPayload<K extends JobKind> = z.infer<(typeof jobPayloads)[K]>;

const EXPIRY_MS: Record<JobKind, number> = {
  intake: 24 * 3600_000,
  'dp.intake': 24 * 3600_000,
  // Long enough to outlast a ban lifted by support or a reconnect after a weekend.
  'attempt.writeback': 14 * 24 * 3600_000,
};

/** Queues a job in the caller's transaction; the caller nudges the outbox after its commit. */
export async function enqueueAmo<K extends JobKind>(
  ctx: Pick<AmoContext, 'clock'>,
  tx: Queryable,
  j: { tenantId: string; kind: K; key: string; partition: string; payload: JobPayload<K>; notBefore?: Date },
): Promise<boolean> {
  const now = ctx.clock.now();
  return enqueue(tx, {
    tenantId: j.tenantId,
    channel: 'amocrm',
    kind: j.kind,
    idempotencyKey: j.key,
    partitionKey: j.partition,
    payload: j.payload as Record<string, unknown>,
    notBefore: j.notBefore,
    expiresAt: new Date(now.getTime() + EXPIRY_MS[j.kind]),
    now,
  });
}

export const leadPartition = (tenantId: string, leadId: number) => `amo:${tenantId}:lead:${leadId}`;
