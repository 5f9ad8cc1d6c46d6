import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { addBatch, createCampaign, listAttempts, listNumbers, makeTemplate, freshDispatcherRound, waitFor, WEEKDAY_NOON_MSK, type AttemptBody, type NumberBody } from './helpers.js';

/**
 * Redials (T12, J1, J2) on a ManualClock: the template's rules per event (busy, no answer, operator
 * failure), the campaign's initial and maximum attempts, the pause between attempts, "call again if
 * the conversation was shorter", and the technical-error backoff (1, 2, 4 … minutes, not counted
 * until the ninth in a row). The clock is moved to make redials due; nothing sleeps for minutes.
 */
let t: TestApp;
let clock: ManualClock;
let starterRules: string; // the starter's rules: busy 15 min ×2, noAnswer 60 min ×2, failure 5 min ×3
let noRules: string;

const MIN = 60_000;

beforeAll(async () => {
  clock = new ManualClock(WEEKDAY_NOON_MSK);
  t = await startTestApp({ TECH_ERRORS_PAUSE_AFTER: '100' }, { clock });
  starterRules = await makeTemplate(t, { intensity: 5 });
  noRules = await makeTemplate(t, { intensity: 5, redial: { mode: 'none' } });
});
afterAll(async () => t?.stop());

/** Polls; with `nudge`, simulated time moves one second per poll so every due number gets a start slot. */
function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, nudge = true): Promise<T> {
  return waitFor(
    async () => {
      const v = await read();
      if (nudge && !done(v)) clock.advance(1000);
      return v;
    },
    done,
    { what, everyMs: 100 },
  );
}

const numbersOf = async (campaignId: string): Promise<Record<string, NumberBody>> => Object.fromEntries((await listNumbers(t, campaignId)).map((n) => [n.phone, n]));
const attemptsTo = async (campaignId: string, phone: string): Promise<AttemptBody[]> =>
  (await listAttempts(t, campaignId)).filter((a) => a.phone === phone).reverse();
const settledAfter = (campaignId: string, calls: Record<string, number>) =>
  until(
    // Attempts first: a number read after its attempt completed shows the outcome's effect (one transaction).
    async () => {
      const attempts = await listAttempts(t, campaignId);
      return { attempts, numbers: await numbersOf(campaignId) };
    },
    ({ numbers, attempts }) =>
      Object.entries(calls).every(([phone, n]) => attempts.filter((a) => a.phone === phone && a.status === 'completed').length === n && numbers[phone] && numbers[phone].status !== 'dialing'),
    `calls ${JSON.stringify(calls)}`,
  ).then((x) => x.numbers);
const ms = (iso: string | null) => new Date(iso!).getTime();

describe("the template's redial rules", () => {
  it('busy every 15 min from the start ×2, no answer 60 min ×2, operator failure 5 min ×3; then the number is finished', async () => {
    const c = await createCampaign(t, starterRules, { intensity: 5 });
    const busy = '+79001110001';
    const silent = '+79001110002';
    const failing = '+79001110006';
    await addBatch(t, c.id, [{ phone: busy }, { phone: silent }, { phone: failing }]);

    let n = await settledAfter(c.id, { [busy]: 1, [silent]: 1, [failing]: 1 });
    const [busy1] = await attemptsTo(c.id, busy);
    const [silent1] = await attemptsTo(c.id, silent);
    const [failing1] = await attemptsTo(c.id, failing);
    expect(n[busy]).toMatchObject({ status: 'callback', attemptsMade: 1, lastOutcome: 'busy' });
    expect(ms(n[busy]!.nextAttemptAt)).toBe(ms(busy1!.dialedAt) + 15 * MIN);
    expect(n[silent]).toMatchObject({ status: 'callback', lastOutcome: 'no_answer' });
    expect(ms(n[silent]!.nextAttemptAt)).toBe(ms(silent1!.dialedAt) + 60 * MIN);
    expect(n[failing]).toMatchObject({ status: 'callback', lastOutcome: 'failed' });
    expect(ms(n[failing]!.nextAttemptAt)).toBe(ms(failing1!.dialedAt) + 5 * MIN);

    // Nothing is called before it is due.
    clock.set(ms(n[failing]!.nextAttemptAt) - 30_000);
    await freshDispatcherRound(t);
    expect((await listAttempts(t, c.id)).length).toBe(3);

    // Operator failure: three redials 5 min apart, then it stays failed.
    for (let i = 2; i <= 4; i++) {
      clock.set(ms((await numbersOf(c.id))[failing]!.nextAttemptAt));
      n = await settledAfter(c.id, { [failing]: i });
    }
    expect(n[failing]).toMatchObject({ status: 'failed', attemptsMade: 4, nextAttemptAt: null });

    // Busy: two redials, each 15 min after the previous call started.
    for (let i = 2; i <= 3; i++) {
      clock.set(ms((await numbersOf(c.id))[busy]!.nextAttemptAt));
      n = await settledAfter(c.id, { [busy]: i });
      const calls = await attemptsTo(c.id, busy);
      if (i < 3) expect(ms(n[busy]!.nextAttemptAt)).toBe(ms(calls[i - 1]!.dialedAt) + 15 * MIN);
    }
    expect(n[busy]).toMatchObject({ status: 'not_answered', attemptsMade: 3, lastOutcome: 'busy', nextAttemptAt: null });

    // No answer: two redials an hour apart.
    for (let i = 2; i <= 3; i++) {
      clock.set(ms((await numbersOf(c.id))[silent]!.nextAttemptAt));
      n = await settledAfter(c.id, { [silent]: i });
    }
    expect(n[silent]).toMatchObject({ status: 'not_answered', attemptsMade: 3 });
    expect((await attemptsTo(c.id, silent)).map((a) => a.attemptNo)).toEqual([1, 2, 3]);

    // Much later: nothing more is ever called.
    clock.advance(24 * 60 * MIN);
    await freshDispatcherRound(t);
    expect((await listAttempts(t, c.id)).length).toBe(10);
  });

  it("the campaign's maximum caps the template's rules", async () => {
    const c = await createCampaign(t, starterRules, { intensity: 5, attempts: { initial: 1, max: 2 } });
    const failing = '+79002220006';
    await addBatch(t, c.id, [{ phone: failing }]);
    await settledAfter(c.id, { [failing]: 1 });
    clock.set(ms((await numbersOf(c.id))[failing]!.nextAttemptAt));
    const n = await settledAfter(c.id, { [failing]: 2 });
    expect(n[failing]).toMatchObject({ status: 'failed', attemptsMade: 2, nextAttemptAt: null });
  });
});

describe("the campaign's attempts", () => {
  it('initial attempts: a number not reached is called again after the pause (from the end of the call); a reached one is not', async () => {
    const c = await createCampaign(t, noRules, { intensity: 5, attempts: { initial: 3, max: 5 }, pauseMinutes: 10 });
    const busy = '+79003330001';
    const anna = '+79003330004';
    await addBatch(t, c.id, [{ phone: busy }, { phone: anna, variables: { name: 'Anna' } }]);
    let n = await settledAfter(c.id, { [busy]: 1, [anna]: 1 });
    expect(n[anna]).toMatchObject({ status: 'answered', attemptsMade: 1 });
    for (let i = 1; i <= 2; i++) {
      const last = (await attemptsTo(c.id, busy))[i - 1]!;
      expect(n[busy]).toMatchObject({ status: 'callback', attemptsMade: i });
      expect(ms(n[busy]!.nextAttemptAt)).toBe(ms(last.endedAt) + 10 * MIN);
      clock.set(ms(n[busy]!.nextAttemptAt));
      n = await settledAfter(c.id, { [busy]: i + 1 });
    }
    expect(n[busy]).toMatchObject({ status: 'not_answered', attemptsMade: 3, nextAttemptAt: null });
    expect(n[anna]!.attemptsMade).toBe(1);
  });

  it('"call again if the conversation was shorter than N s" recalls a short dialogue, up to the maximum', async () => {
    const c = await createCampaign(t, noRules, { intensity: 5, recallIfShorterSec: 60, pauseMinutes: 20, attempts: { initial: 1, max: 3 } });
    const anna = '+79005550004';
    await addBatch(t, c.id, [{ phone: anna, variables: { name: 'Anna' } }]);
    let n = await settledAfter(c.id, { [anna]: 1 });
    const [first] = await attemptsTo(c.id, anna);
    expect(first!.talkSec).toBeLessThan(60);
    expect(n[anna]).toMatchObject({ status: 'callback', lastOutcome: 'human', attemptsMade: 1 });
    expect(ms(n[anna]!.nextAttemptAt)).toBe(ms(first!.endedAt) + 20 * MIN);
    for (let i = 2; i <= 3; i++) {
      clock.set(ms(n[anna]!.nextAttemptAt));
      n = await settledAfter(c.id, { [anna]: i });
    }
    expect(n[anna]).toMatchObject({ status: 'answered', attemptsMade: 3, nextAttemptAt: null });

    // A dialogue long enough is not recalled.
    const d = await createCampaign(t, noRules, { intensity: 5, recallIfShorterSec: 5, attempts: { initial: 1, max: 3 } });
    await addBatch(t, d.id, [{ phone: anna }]);
    expect((await settledAfter(d.id, { [anna]: 1 }))[anna]).toMatchObject({ status: 'answered', attemptsMade: 1 });
  });
});

describe('technical errors (J2)', () => {
  it('back off 1, 2, 4 … minutes without using an attempt; the 9th in a row uses one, and the count starts again', async () => {
    const c = await createCampaign(t, noRules, { intensity: 5, attempts: { initial: 2, max: 2 }, pauseMinutes: 30 });
    const refused = '+79000000009';
    await addBatch(t, c.id, [{ phone: refused }]);
    const waits: number[] = [];
    let n: NumberBody | undefined;
    for (let i = 1; i <= 10; i++) {
      n = (await settledAfter(c.id, { [refused]: i }))[refused];
      const last = (await attemptsTo(c.id, refused)).at(-1)!;
      expect(last).toMatchObject({ outcome: 'failed', attemptNo: i <= 9 ? 1 : 2 });
      expect(last.error).toContain('refused');
      expect(n!.status).toBe('callback');
      expect(n!.attemptsMade, `after error ${i}`).toBe(i < 9 ? 0 : 1);
      waits.push(Math.round((ms(n!.nextAttemptAt) - ms(last.endedAt)) / MIN));
      // Not after the tenth: the clock at the eleventh's due time would let the dispatcher place it
      // before the stats below are read.
      if (i < 10) clock.set(ms(n!.nextAttemptAt));
    }
    // 1, 2, 4 … 128 minutes; the ninth used an attempt (the next one after the campaign's pause),
    // and the tenth starts the doubling again.
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 30, 1]);
    const c2 = await t.api<{ status: string }>('GET', `/campaigns/${c.id}`);
    expect(c2.body.status).toBe('running');
    const stats = await t.api<{ attempts: { total: number; placed: number; technicalErrors: number } }>('GET', `/campaigns/${c.id}/stats`);
    expect(stats.body.attempts).toEqual({ total: 10, placed: 0, technicalErrors: 10 });
  });
});
