import { describe, expect, it } from 'vitest';
import { startOutboxWorker, type HandlerResult } from '../../../src/engine/outbox/outboxWorker.js';
import { enqueue, signalOutbox } from '../../../src/store/repositories/outbox.js';
import { outboxWorlds } from '../../support/outboxWorld.js';

/**
 * A job that waits for something to happen elsewhere (a write-back for its call's recording) runs
 * the moment it is announced, not at its next look: the retry time is only the fallback. The
 * announcement may come between the handler's look and the recorded wait; the job then wakes itself.
 */
const world = outboxWorlds();

describe('outbox jobs woken by what they wait for', () => {
  it('runs as soon as its signal comes, with the progress the wait saved; other signals leave it waiting', async () => {
    const { db, clock, tenant, app } = await world();
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'write', idempotencyKey: 'k', payload: {}, now: clock.now() });
    const seen: Record<string, unknown>[] = [];
    const worker = startOutboxWorker(
      app,
      {
        amocrm: async (_app, job): Promise<HandlerResult> => {
          seen.push(job.state);
          if (seen.length > 1) return { kind: 'done' };
          return {
            kind: 'retry',
            error: 'waiting for the recording',
            retryAt: new Date(clock.now().getTime() + 60_000),
            wait: true,
            waitFor: { signal: 'recording:a1', ready: async () => false },
            state: { recordingWaits: 1 },
          };
        },
      },
      { autoStart: false },
    );
    expect(await worker.runOnce()).toBe(1);
    clock.advance(5000);
    expect(await worker.runOnce()).toBe(0);
    expect(await signalOutbox(db, ['recording:other'], clock.now())).toBe(0);
    expect(await worker.runOnce()).toBe(0);

    expect(await signalOutbox(db, ['recording:a1'], clock.now())).toBe(1);
    expect(await worker.runOnce()).toBe(1);
    expect(seen).toEqual([{}, { recordingWaits: 1 }]);
    const row = (await db.query<{ status: string; failures: number; waits_for: string | null }>('SELECT status, failures, waits_for FROM outbox')).rows[0]!;
    expect(row).toEqual({ status: 'done', failures: 0, waits_for: null });
    // A late signal finds nothing to wake.
    expect(await signalOutbox(db, ['recording:a1'], clock.now())).toBe(0);
    await worker.stop();
  });

  it('wakes itself when what it waits for happened before the wait was recorded', async () => {
    const { db, clock, tenant, app } = await world();
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'write', idempotencyKey: 'k', payload: {}, now: clock.now() });
    let calls = 0;
    const worker = startOutboxWorker(
      app,
      {
        amocrm: async (): Promise<HandlerResult> => {
          calls++;
          if (calls > 1) return { kind: 'done' };
          // The handler looked too early; the recording was ready by the time the wait was saved.
          return { kind: 'retry', error: 'waiting', retryAt: new Date(clock.now().getTime() + 60_000), wait: true, waitFor: { signal: 's', ready: async () => true } };
        },
      },
      { autoStart: false },
    );
    // One run handles it twice without the clock moving: woken by its own look.
    expect(await worker.runOnce()).toBe(2);
    expect((await db.query<{ status: string }>('SELECT status FROM outbox')).rows[0]!.status).toBe('done');
    await worker.stop();
  });
});
