import { describe, expect, it } from 'vitest';
import { startOutboxWorker, type HandlerResult } from '../../../src/engine/outbox/outboxWorker.js';
import { claimOutboxBatch, enqueue } from '../../../src/store/repositories/outbox.js';
import { outboxWorlds } from '../../support/outboxWorld.js';

/**
 * Retries back off by failures, not by claims: a write-back that waited for its recording many
 * times, or whose process was killed while holding it, retries a first real error (a portal's 504)
 * after seconds — not after the hour its claim count would give (found by the chaos run).
 */
const world = outboxWorlds();

describe('outbox backoff', () => {
  it('counts failures only: planned waits and claims of a killed worker do not lengthen it', async () => {
    const { db, clock, tenant, app } = await world();
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'write', idempotencyKey: 'k', payload: {}, now: clock.now() });

    // A worker that claimed the job and died: the lease runs out, the claim counted, no failure.
    await claimOutboxBatch(db, { worker: 'dead-worker', now: clock.now(), leaseMs: 1000, limit: 1, channels: ['amocrm'] });
    clock.advance(2000);

    let answer: HandlerResult = { kind: 'retry', error: 'waiting for the recording', retryAt: new Date(clock.now().getTime() + 1000), wait: true };
    const worker = startOutboxWorker(app, { amocrm: async () => answer }, { autoStart: false });
    for (let i = 0; i < 8; i++) {
      expect(await worker.runOnce()).toBe(1);
      clock.advance(1000);
      answer = { kind: 'retry', error: 'waiting for the recording', retryAt: new Date(clock.now().getTime() + 1000), wait: true };
    }
    answer = { kind: 'retry', error: 'HTTP 504' };
    expect(await worker.runOnce()).toBe(1);
    const after1 = (await db.query<{ attempts: number; failures: number; next_attempt_at: Date }>('SELECT attempts, failures, next_attempt_at FROM outbox')).rows[0]!;
    expect(after1).toMatchObject({ attempts: 10, failures: 1 });
    // The first failure: 5 s (± jitter), not backoff(10 claims) ≈ 43 min.
    const wait1 = after1.next_attempt_at.getTime() - clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(4000);
    expect(wait1).toBeLessThanOrEqual(6000);

    // A second failure in a row doubles it.
    clock.set(after1.next_attempt_at);
    expect(await worker.runOnce()).toBe(1);
    const after2 = (await db.query<{ failures: number; next_attempt_at: Date }>('SELECT failures, next_attempt_at FROM outbox')).rows[0]!;
    expect(after2.failures).toBe(2);
    const wait2 = after2.next_attempt_at.getTime() - clock.now().getTime();
    expect(wait2).toBeGreaterThanOrEqual(8000);
    expect(wait2).toBeLessThanOrEqual(12000);
    await worker.stop();
  });
});
