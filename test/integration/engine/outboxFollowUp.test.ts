import { describe, expect, it } from 'vitest';
import { nudgeRobotReturn, robotReturnKey } from '../../../src/crm/bitrix24/jobs.js';
import { startOutboxWorker } from '../../../src/engine/outbox/outboxWorker.js';
import { enqueue } from '../../../src/store/repositories/outbox.js';
import { outboxWorlds } from '../../support/outboxWorld.js';

/**
 * A delivered job's follow-up (`afterDone`) runs once the job is recorded done — which is what lets
 * a Bitrix24 robot answer that waits for its deal's call write-back be woken by it instead of
 * polling (src/crm/bitrix24/jobs.ts `nudgeRobotReturn`).
 */
const setup = outboxWorlds();

describe('outbox follow-ups', () => {
  it('run after the job is recorded done; a failing one is only logged', async () => {
    const { db, clock, tenant, app } = await setup();
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'x', idempotencyKey: 'k1', payload: {}, now: clock.now() });
    await enqueue(db, { tenantId: tenant, channel: 'amocrm', kind: 'y', idempotencyKey: 'k2', payload: {}, now: clock.now() });
    const seen: string[] = [];
    const worker = startOutboxWorker(
      app,
      {
        amocrm: async (_app, job) => ({
          kind: 'done',
          afterDone: async () => {
            const r = await db.query<{ status: string }>('SELECT status FROM outbox WHERE id = $1', [job.id]);
            seen.push(`${job.kind}:${r.rows[0]!.status}`);
            if (job.kind === 'y') throw new Error('the follow-up failed');
          },
        }),
      },
      { autoStart: false },
    );
    expect(await worker.runOnce()).toBe(2);
    await worker.stop();
    expect(seen.sort()).toEqual(['x:done', 'y:done']);
    const rows = await db.query<{ status: string }>('SELECT status FROM outbox ORDER BY idempotency_key');
    expect(rows.rows.map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('a robot answer waiting for the write-back is woken; one scheduled for its deadline is not', async () => {
    const { db, clock, tenant } = await setup();
    const waiting = '01a00000-0000-7000-8000-000000000001';
    const scheduled = '01a00000-0000-7000-8000-000000000002';
    const later = new Date(clock.now().getTime() + 15_000);
    for (const runId of [waiting, scheduled]) {
      await enqueue(db, { tenantId: tenant, channel: 'bitrix24', kind: 'robot.return', idempotencyKey: robotReturnKey(runId), payload: { runId }, notBefore: later, now: clock.now() });
    }
    await db.query(`UPDATE outbox SET state = '{"awaits":"writeback"}' WHERE idempotency_key = $1`, [robotReturnKey(waiting)]);
    await nudgeRobotReturn(db, waiting, clock.now());
    await nudgeRobotReturn(db, scheduled, clock.now());
    const rows = await db.query<{ idempotency_key: string; next_attempt_at: Date }>('SELECT idempotency_key, next_attempt_at FROM outbox ORDER BY idempotency_key');
    expect(rows.rows.map((r) => [r.idempotency_key, r.next_attempt_at.getTime()])).toEqual([
      [robotReturnKey(waiting), clock.now().getTime()],
      [robotReturnKey(scheduled), later.getTime()],
    ]);
  });
});
