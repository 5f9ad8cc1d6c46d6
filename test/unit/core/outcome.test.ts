import { describe, expect, it } from 'vitest';
import {
  classifyOutcome,
  HANGUP_CAUSES,
  isIneffective,
  OUTCOMES,
  redialEventOf,
  type ClassifyInput,
  type Outcome,
} from '../../../src/core/outcome.js';

const answered = (over: Partial<ClassifyInput> = {}): ClassifyInput => ({
  cause: 'answered',
  amdVerdict: 'human',
  talkSec: 30,
  shortCallSec: 5,
  hasResult: false,
  ...over,
});

describe('classifyOutcome', () => {
  it.each([
    ['busy', 'busy'],
    ['no_answer', 'no_answer'],
    ['failed', 'failed'],
    ['invalid_number', 'invalid_number'],
    ['cancelled', 'cancelled'],
  ] as const)('a call the network ended with %s is %s, whatever AMD said', (cause, outcome) => {
    expect(classifyOutcome({ cause, amdVerdict: 'machine', talkSec: 0, shortCallSec: 5, hasResult: false })).toBe(outcome);
  });

  it('an answered call where AMD heard a machine is "machine", even a long one with a result', () => {
    expect(classifyOutcome(answered({ amdVerdict: 'machine', talkSec: 60, hasResult: true }))).toBe('machine');
  });

  it('an answered call shorter than the short-call threshold without a result is "short"', () => {
    expect(classifyOutcome(answered({ talkSec: 2 }))).toBe('short');
    expect(classifyOutcome(answered({ talkSec: 4.99 }))).toBe('short');
  });

  it('a call exactly at the threshold is not short', () => {
    expect(classifyOutcome(answered({ talkSec: 5 }))).toBe('human');
  });

  it('a short call in which the scenario already set a result counts as a human conversation', () => {
    expect(classifyOutcome(answered({ talkSec: 2, hasResult: true }))).toBe('human');
  });

  it.each(['human', 'not_sure', 'not_checked'] as const)('an answered, long enough call with AMD verdict %s is "human"', (amdVerdict) => {
    expect(classifyOutcome(answered({ amdVerdict }))).toBe('human');
  });

  it('every hang-up cause maps to a known outcome code', () => {
    for (const cause of HANGUP_CAUSES) expect(OUTCOMES).toContain(classifyOutcome(answered({ cause })));
  });
});

describe('redialEventOf', () => {
  const table: [Outcome, string | undefined][] = [
    ['busy', 'busy'],
    ['no_answer', 'noAnswer'],
    ['machine', 'machine'],
    ['short', 'short'],
    ['failed', 'failure'],
    ['human', undefined],
    ['invalid_number', undefined],
    ['cancelled', undefined],
  ];
  it.each(table)('outcome %s falls under the redial rule %s', (outcome, event) => {
    expect(redialEventOf(outcome)).toBe(event);
  });

  it('the table covers every outcome code', () => {
    expect(table.map(([o]) => o).sort()).toEqual([...OUTCOMES].sort());
  });
});

describe('isIneffective (T9)', () => {
  it('an answered call shorter than the threshold is ineffective', () => {
    expect(isIneffective('human', 9, 10)).toBe(true);
    expect(isIneffective('short', 1, 10)).toBe(true);
  });

  it('a call reaching the threshold is effective', () => {
    expect(isIneffective('human', 10, 10)).toBe(false);
  });

  it('a threshold of 0 switches the mark off', () => {
    expect(isIneffective('human', 0, 0)).toBe(false);
  });

  it.each(['machine', 'busy', 'no_answer', 'failed', 'invalid_number', 'cancelled'] as const)(
    'a %s call is never marked ineffective: nobody talked',
    (outcome) => {
      expect(isIneffective(outcome, 0, 10)).toBe(false);
    },
  );
});
