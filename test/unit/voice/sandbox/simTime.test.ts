import { describe, expect, it } from 'vitest';
import { CallAbortedError, isAbort } from '../../../../src/scenario/media.js';
import { abortReason, SimTime } from '../../../../src/voice/sandbox/simTime.js';

/** A simulated minute takes 6 ms of real time. */
const TINY = 1e-4;

describe('SimTime', () => {
  it('starts at zero and advances exactly by each sleep, whatever the scale', async () => {
    for (const scale of [0, TINY]) {
      const time = new SimTime(scale);
      expect(time.elapsedMs()).toBe(0);
      await time.sleep(1500);
      await time.sleep(0);
      await time.sleep(2500);
      expect(time.elapsedMs()).toBe(4000);
    }
  });

  it('an alarm fires inside the sleep that crosses it, at the exact virtual time', async () => {
    const time = new SimTime(TINY);
    const seen: number[] = [];
    time.at(1500, () => seen.push(time.elapsedMs()));
    await time.sleep(1000);
    expect(seen).toEqual([]);
    await time.sleep(1000);
    expect(seen).toEqual([1500]);
    expect(time.elapsedMs()).toBe(2000);
  });

  it('several alarms in one sleep fire in time order, however they were added', async () => {
    const time = new SimTime(TINY);
    const seen: string[] = [];
    time.at(2500, () => seen.push(`amd@${time.elapsedMs()}`));
    time.at(1200, () => seen.push(`gender@${time.elapsedMs()}`));
    time.at(9000, () => seen.push(`late@${time.elapsedMs()}`));
    await time.sleep(5000);
    expect(seen).toEqual(['gender@1200', 'amd@2500']);
    expect(time.elapsedMs()).toBe(5000);
  });

  it('an alarm exactly at the end of a sleep fires in that sleep', async () => {
    const time = new SimTime(TINY);
    let fired = -1;
    time.at(1000, () => (fired = time.elapsedMs()));
    await time.sleep(1000);
    expect(fired).toBe(1000);
  });

  it('an alarm set in the past fires at the next sleep without moving the clock back', async () => {
    const time = new SimTime(TINY);
    await time.sleep(3000);
    let fired = -1;
    time.at(1000, () => (fired = time.elapsedMs()));
    await time.sleep(500);
    expect(fired).toBe(3000);
    expect(time.elapsedMs()).toBe(3500);
  });

  it('an alarm that aborts the call ends the crossing sleep right there (the callee hangs up at 1.5 s)', async () => {
    const time = new SimTime(TINY);
    const call = new AbortController();
    time.at(1500, () => call.abort(new CallAbortedError('callee_hangup')));
    const error = await time.sleep(10_000, call.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallAbortedError);
    expect((error as CallAbortedError).reason).toBe('callee_hangup');
    expect(time.elapsedMs()).toBe(1500);
  });

  it('a sleep on an already aborted signal rejects at once and spends no time', async () => {
    const time = new SimTime(TINY);
    const call = new AbortController();
    call.abort('machine_detected');
    const error = await time.sleep(1000, call.signal).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect((error as CallAbortedError).reason).toBe('machine_detected');
    expect(time.elapsedMs()).toBe(0);
  });

  it('an abort from outside ends a long sleep early, advancing the clock by no more than the sleep', async () => {
    const time = new SimTime(1);
    const call = new AbortController();
    const sleeping = time.sleep(60_000, call.signal);
    setTimeout(() => call.abort(new CallAbortedError('cancelled')), 0);
    await expect(sleeping).rejects.toMatchObject({ reason: 'cancelled' });
    expect(time.elapsedMs()).toBeGreaterThanOrEqual(0);
    expect(time.elapsedMs()).toBeLessThan(60_000);
  });

  it('an aborted sleep leaves no listener behind, and later sleeps without a signal still work', async () => {
    const time = new SimTime(TINY);
    const call = new AbortController();
    await time.sleep(100, call.signal);
    call.abort();
    await time.sleep(100);
    expect(time.elapsedMs()).toBe(200);
  });

  it('abortReason keeps an Error reason and wraps anything else as a call abort', () => {
    const withError = new AbortController();
    const reason = new CallAbortedError('operator_takeover');
    withError.abort(reason);
    expect(abortReason(withError.signal)).toBe(reason);
    const withString = new AbortController();
    withString.abort('callee_hangup');
    expect(abortReason(withString.signal)).toMatchObject({ name: 'AbortError', reason: 'callee_hangup' });
    const withNothing = { aborted: true, reason: undefined } as unknown as AbortSignal;
    expect(abortReason(withNothing)).toMatchObject({ reason: 'aborted' });
  });
});
