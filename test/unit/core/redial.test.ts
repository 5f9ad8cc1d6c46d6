import { describe, expect, it } from 'vitest';
import { decideRedial, REDIAL_EVENTS, redialRulesSchema, type FinishedCall, type RedialRules } from '../../../src/core/redial.js';

const startedAt = new Date('2025-06-17T10:00:00Z');
const answeredAt = new Date('2025-06-17T10:00:20Z');
const unanswered: FinishedCall = { startedAt, answeredAt: null };
const answeredCall: FinishedCall = { startedAt, answeredAt };
const minutesAfter = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);

const rules: RedialRules = redialRulesSchema.parse({
  busy: { delayMinutes: 5, maxCount: 3 },
  noAnswer: { delayMinutes: 30, from: 'answer', maxCount: 2 },
  machine: { delayMinutes: 60, from: 'answer', maxCount: 1 },
  short: { delayMinutes: 10, from: 'start', maxCount: 1 },
  failure: { delayMinutes: 1, maxCount: 0 },
});

describe('decideRedial (T12)', () => {
  it('a busy number is called again after the delay counted from the call start', () => {
    expect(decideRedial(rules, 'busy', {}, unanswered)).toEqual({ redial: true, event: 'busy', at: minutesAfter(startedAt, 5), count: 1 });
  });

  it('a delay "from answer" counts from the moment the call was answered', () => {
    expect(decideRedial(rules, 'machine', {}, answeredCall)).toMatchObject({ redial: true, at: minutesAfter(answeredAt, 60) });
  });

  it('a delay "from start" ignores the answer time', () => {
    expect(decideRedial(rules, 'short', {}, answeredCall)).toMatchObject({ redial: true, at: minutesAfter(startedAt, 10) });
  });

  it('a never-answered call with a rule "from answer" counts from its start', () => {
    expect(decideRedial(rules, 'noAnswer', {}, unanswered)).toMatchObject({ redial: true, at: minutesAfter(startedAt, 30) });
  });

  it('the count grows with each redial the event already caused', () => {
    expect(decideRedial(rules, 'busy', { busy: 2 }, unanswered)).toMatchObject({ redial: true, count: 3 });
  });

  it('stops at the maximum count', () => {
    expect(decideRedial(rules, 'busy', { busy: 3 }, unanswered)).toEqual({ redial: false, reason: 'limit_reached' });
    expect(decideRedial(rules, 'busy', { busy: 7 }, unanswered)).toEqual({ redial: false, reason: 'limit_reached' });
  });

  it('counts are per event: busy redials do not use up the no-answer allowance', () => {
    expect(decideRedial(rules, 'noAnswer', { busy: 3 }, unanswered)).toMatchObject({ redial: true, count: 1 });
  });

  it('a maximum of 0 means no redial for that event', () => {
    expect(decideRedial(rules, 'failure', {}, unanswered)).toEqual({ redial: false, reason: 'no_rule' });
  });

  it('an event without a rule is not redialled', () => {
    expect(decideRedial({ busy: rules.busy }, 'machine', {}, answeredCall)).toEqual({ redial: false, reason: 'no_rule' });
    expect(decideRedial({}, 'busy', {}, unanswered)).toEqual({ redial: false, reason: 'no_rule' });
  });

  it('a zero delay redials at once', () => {
    const r = decideRedial({ busy: { delayMinutes: 0, from: 'start', maxCount: 1 } }, 'busy', {}, unanswered);
    expect(r).toMatchObject({ redial: true, at: startedAt });
  });

  it('fractional delays are kept to the millisecond', () => {
    const r = decideRedial({ busy: { delayMinutes: 0.5, from: 'start', maxCount: 1 } }, 'busy', {}, unanswered);
    expect(r).toMatchObject({ at: new Date(startedAt.getTime() + 30_000) });
  });
});

describe('redial rules schema', () => {
  it('"from" defaults to the call start', () => {
    expect(redialRulesSchema.parse({ busy: { delayMinutes: 5, maxCount: 1 } }).busy?.from).toBe('start');
  });

  it('knows exactly the five events of T12', () => {
    expect([...REDIAL_EVENTS]).toEqual(['busy', 'noAnswer', 'machine', 'short', 'failure']);
    expect(redialRulesSchema.safeParse({ fax: { delayMinutes: 1, maxCount: 1 } }).success).toBe(false);
  });

  it.each([
    [{ delayMinutes: -1, maxCount: 1 }, 'a negative delay'],
    [{ delayMinutes: 60 * 24 * 30 + 1, maxCount: 1 }, 'a delay over 30 days'],
    [{ delayMinutes: 1, maxCount: 100 }, 'more than 99 redials'],
    [{ delayMinutes: 1, maxCount: 1.5 }, 'a fractional count'],
    [{ delayMinutes: 1, maxCount: 1, from: 'end' }, 'an unknown origin'],
    [{ delayMinutes: 1, maxCount: 1, extra: true }, 'an unknown field'],
  ])('refuses %j (%s)', (rule, _why) => {
    expect(redialRulesSchema.safeParse({ busy: rule }).success).toBe(false);
  });
});
