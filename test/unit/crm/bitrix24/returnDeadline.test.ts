import { describe, expect, it } from 'vitest';
import { answerBy, answerDue, robotDeadline } from '../../../../src/crm/bitrix24/robots/returnDeadline.js';

const at = (iso: string) => new Date(iso);
const received = at('2025-03-04T10:00:00Z');
const sec = received.getTime() / 1000;

describe('a robot run\'s deadline', () => {
  it('is timeout_duration after the call arrived; none without a timeout', () => {
    expect(robotDeadline({ receivedAt: received, timeoutSec: 660, ts: undefined })).toEqual(at('2025-03-04T10:11:00Z'));
    expect(robotDeadline({ receivedAt: received, timeoutSec: 0, ts: sec })).toBeNull();
    expect(robotDeadline({ receivedAt: received, timeoutSec: undefined, ts: sec })).toBeNull();
  });

  it('counts from when Bitrix24 sent the call, if the queue delivered it late', () => {
    expect(robotDeadline({ receivedAt: received, timeoutSec: 660, ts: sec - 90 })).toEqual(at('2025-03-04T10:09:30Z'));
  });

  it('does not trust a `ts` from the future or from another clock', () => {
    expect(robotDeadline({ receivedAt: received, timeoutSec: 660, ts: sec + 30 })).toEqual(at('2025-03-04T10:11:00Z'));
    expect(robotDeadline({ receivedAt: received, timeoutSec: 660, ts: sec - 3600 })).toEqual(at('2025-03-04T10:11:00Z'));
  });

  it('is answered a tenth of the timeout before it: a minute at most, 5 s at least, half-way for tiny timeouts', () => {
    const deadline = at('2025-03-04T10:11:00Z');
    expect(answerBy(deadline, 660)).toEqual(at('2025-03-04T10:10:00Z'));
    expect(answerBy(deadline, 3600)).toEqual(at('2025-03-04T10:10:00Z'));
    expect(answerBy(deadline, 120)).toEqual(at('2025-03-04T10:10:48Z'));
    expect(answerBy(deadline, 20)).toEqual(at('2025-03-04T10:10:55Z'));
    expect(answerBy(deadline, 6)).toEqual(at('2025-03-04T10:10:57Z'));
  });
});

describe('when the answer is due', () => {
  const by = at('2025-03-04T10:10:00Z');
  const before = at('2025-03-04T10:05:00Z');
  it('"final": once the number is done, or at the deadline with what is known', () => {
    expect(answerDue({ mode: 'final', finished: false, callsMade: 1, now: before, answerBy: by })).toBe(false);
    expect(answerDue({ mode: 'final', finished: true, callsMade: 1, now: before, answerBy: by })).toBe(true);
    expect(answerDue({ mode: 'final', finished: false, callsMade: 0, now: by, answerBy: by })).toBe(true);
  });

  it('"first_attempt": after the first call, or at the deadline if no call ended before it', () => {
    expect(answerDue({ mode: 'first_attempt', finished: false, callsMade: 0, now: before, answerBy: by })).toBe(false);
    expect(answerDue({ mode: 'first_attempt', finished: false, callsMade: 1, now: before, answerBy: by })).toBe(true);
    expect(answerDue({ mode: 'first_attempt', finished: false, callsMade: 0, now: by, answerBy: by })).toBe(true);
  });

  it('without a deadline only the chain (or the first call) decides', () => {
    expect(answerDue({ mode: 'final', finished: false, callsMade: 3, now: by, answerBy: null })).toBe(false);
  });
});
