import { describe, expect, it } from 'vitest';
import { Outage, untilDatabaseAnswers } from '../../../src/store/outage.js';
import { isDatabaseUnavailable } from '../../../src/store/unavailable.js';
import { captureLog } from '../../support/captureLog.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const shutdown = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('isDatabaseUnavailable', () => {
  it('knows a server going away from a wrong query', () => {
    expect(isDatabaseUnavailable(refused())).toBe(true);
    expect(isDatabaseUnavailable(shutdown())).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused(), refused()], 'connect failed'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: shutdown() }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('Outage', () => {
  it('says once that it waits and once that the database is back, backing off in between', () => {
    const { log, lines } = captureLog('info');
    const outage = new Outage(log, 'dispatcher', { minMs: 100, maxMs: 1000 });
    const waits = Array.from({ length: 8 }, () => outage.failed(refused()));
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    expect(outage.isDown).toBe(true);
    outage.ok();
    outage.ok();
    expect(lines().map((l) => l.msg)).toEqual(['dispatcher: database unavailable, waiting for it to come back', 'dispatcher: database is back']);
    expect((lines()[0]!.err as { stack: string }).stack).toContain('ECONNREFUSED');
  });

  it('logs every failure that is not an outage, with its stack', () => {
    const { log, lines } = captureLog('info');
    const outage = new Outage(log, 'outbox worker');
    outage.failed(new TypeError('a bug'));
    outage.failed(new TypeError('a bug'));
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      [50, 'outbox worker: round failed'],
      [50, 'outbox worker: round failed'],
    ]);
    expect(outage.isDown).toBe(false);
  });

  it('untilDatabaseAnswers waits an outage out, and throws other errors at once', async () => {
    const { log } = captureLog('info');
    const outage = new Outage(log, 'outbox worker', { minMs: 1, maxMs: 2 });
    let calls = 0;
    const value = await untilDatabaseAnswers(
      async () => {
        if (++calls < 4) throw shutdown();
        return 'marked done';
      },
      { outage },
    );
    expect([value, calls, outage.isDown]).toEqual(['marked done', 4, false]);
    await expect(untilDatabaseAnswers(() => Promise.reject(new TypeError('a bug')), { outage })).rejects.toThrow('a bug');
    await expect(untilDatabaseAnswers(() => Promise.reject(refused()), { outage, stopped: () => true })).rejects.toThrow('ECONNREFUSED');
  });
});
