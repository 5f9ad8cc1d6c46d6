import { describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { ConcurrencyGate } from '../../../../src/engine/auth/concurrencyGate.js';

/** Password hashing's gate: a bounded number run, a bounded number wait (for a bounded time), the rest are refused. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ConcurrencyGate', () => {
  it('runs at most `max` at once and starts the waiting ones in order as others finish', async () => {
    const gate = new ConcurrencyGate({ max: 2, maxWaiting: 10, maxWaitMs: 60_000 });
    const blockers = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = blockers.map((b, i) => gate.run(async () => {
      started.push(i);
      await b.promise;
      return i;
    }));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.stats()).toMatchObject({ active: 2, waiting: 3 });
    blockers[1]!.resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const b of blockers) b.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(gate.stats()).toMatchObject({ active: 0, waiting: 0, peakActive: 2, refused: 0 });
  });

  it('refuses at once when the queue is full, and a waiter after maxWaitMs — with server_busy and a Retry-After', async () => {
    vi.useFakeTimers();
    try {
      const gate = new ConcurrencyGate({ max: 1, maxWaiting: 1, maxWaitMs: 5000, retryAfterSec: 2 });
      const hold = deferred();
      const running = gate.run(() => hold.promise);
      const waiting = gate.run(async () => 'late');
      const waitingResult = waiting.then(
        () => 'ran',
        (e: unknown) => e,
      );
      const full = await gate.run(async () => 'never').catch((e: unknown) => e);
      expect(full).toBeInstanceOf(DomainError);
      expect(full).toMatchObject({ code: 'server_busy', extra: { retryAfterSec: 2 } });
      await vi.advanceTimersByTimeAsync(5000);
      expect(await waitingResult).toMatchObject({ code: 'server_busy' });
      expect(gate.stats()).toMatchObject({ active: 1, waiting: 0, refused: 2 });
      hold.resolve();
      await running;
      expect(await gate.run(async () => 'next')).toBe('next');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a task that fails frees its place', async () => {
    const gate = new ConcurrencyGate({ max: 1, maxWaiting: 0, maxWaitMs: 10 });
    await expect(gate.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await gate.run(async () => 'ok')).toBe('ok');
  });
});
