import { describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../../src/engine/outbox/outboxWorker.js';
import { enqueue } from '../../../src/store/repositories/outbox.js';
import { outboxWorlds } from '../../support/outboxWorld.js';

/**
 * The outbox delivers as a pool: one slow write (a CRM answering slowly, a Bitrix24 write waiting to
 * share a batch) never holds back the jobs claimed with it, and a job still running is never taken
 * a second time by its own worker, even when the clock has moved past its lease.
 */
const setup = outboxWorlds();

const statusOf = async (db: Awaited<ReturnType<typeof setup>>['db'], kind: string) =>
  (await db.query<{ status: string }>('SELECT status FROM outbox WHERE kind = $1', [kind])).rows[0]!.status;

describe('the outbox pool', () => {
  it('a slow job does not hold back the others, nor the jobs that become due while it runs', async () => {
    const { db, clock, tenant, app } = await setup();
    let release!: () => void;
    const slowDone = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'slow', idempotencyKey: 'slow', payload: {}, now: clock.now() });
    for (let i = 0; i < 5; i++) await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: `quick${i}`, idempotencyKey: `q${i}`, payload: {}, now: clock.now() });
    const worker = startOutboxWorker(
      app,
      {
        amocrm: async (_app, job) => {
          if (job.kind === 'slow') await slowDone;
          ran.push(job.kind);
          return { kind: 'done' };
        },
      },
      { autoStart: false, poolSize: 10 },
    );
    const run = worker.runOnce();
    // Marked done once its handler returned (a moment after `ran` saw it; on a server, another connection).
    await waitUntil(async () => ran.length === 5 && (await statusOf(db, 'quick4')) === 'done');
    // New work while the slow one still runs: it is delivered by the same run, not after it.
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'later', idempotencyKey: 'later', payload: {}, now: clock.now() });
    worker.wake();
    await waitUntil(() => ran.includes('later'));
    expect(await statusOf(db, 'slow')).toBe('pending');

    // The clock jumps an hour (past the slow job's lease): its own worker does not take it again.
    clock.advance(3600_000);
    worker.wake();
    await new Promise((r) => setTimeout(r, 200));
    release();
    expect(await run).toBe(7);
    await worker.stop();
    expect(ran.filter((k) => k === 'slow')).toHaveLength(1);
    expect(await statusOf(db, 'slow')).toBe('done');
  });
});

async function waitUntil(done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
