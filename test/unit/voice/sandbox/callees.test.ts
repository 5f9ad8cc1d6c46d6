import { describe, expect, it } from 'vitest';
import { calleeFor, DEFAULT_MIX, MAGIC_NUMBERS, parseMix, seededUnit, type Mix } from '../../../../src/voice/sandbox/callees.js';

describe('magic numbers', () => {
  it.each([
    ['+79000000001', 'busy', undefined],
    ['+79000000002', 'no_answer', undefined],
    ['+79000000003', 'machine', undefined],
    ['+79000000004', 'human', { gender: 'female', persona: 'agree' }],
    ['+79000000005', 'short', undefined],
    ['+79000000006', 'failure', undefined],
    ['+79000000007', 'human', { gender: 'male', persona: 'decline' }],
    ['+79000000008', 'invalid', undefined],
    ['+79000000009', 'platform_error', undefined],
  ] as const)('a number ending in %s behaves as "%s", every time', (e164, behaviour, who) => {
    for (const nth of [0, 1, 5]) {
      for (const seed of ['a', 'b']) {
        const p = calleeFor(e164, seed, DEFAULT_MIX, nth);
        expect(p.behaviour).toBe(behaviour);
        if (who) expect(p).toMatchObject(who);
      }
    }
  });

  it('only the last four digits matter, in any country', () => {
    expect(calleeFor('+12015550004', 's', DEFAULT_MIX, 0)).toEqual(calleeFor('+79000000004', 's', DEFAULT_MIX, 0));
    expect(calleeFor('+442079460001', 's', DEFAULT_MIX, 0).behaviour).toBe('busy');
  });

  it('the magic numbers are 0001–0010, each described', () => {
    expect(Object.keys(MAGIC_NUMBERS).sort()).toEqual(['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008', '0009', '0010']);
    for (const m of Object.values(MAGIC_NUMBERS)) expect(m.description.length).toBeGreaterThan(3);
  });

  it('a human who answers rings for a few seconds first; a busy or failing line does not ring', () => {
    expect(MAGIC_NUMBERS['0004']?.ringSec).toBeGreaterThan(0);
    expect(MAGIC_NUMBERS['0001']?.ringSec).toBe(0);
    expect(MAGIC_NUMBERS['0006']?.ringSec).toBe(0);
  });
});

describe('other numbers follow the seeded mix', () => {
  const numbers = Array.from({ length: 400 }, (_, i) => `+7916${String(1_000_000 + i * 7919).padStart(7, '0')}`).filter((n) => !(n.slice(-4) in MAGIC_NUMBERS));

  it('the same seed, number and attempt always give the same callee', () => {
    for (const n of numbers.slice(0, 50)) expect(calleeFor(n, 'seed-1', DEFAULT_MIX, 2)).toEqual(calleeFor(n, 'seed-1', DEFAULT_MIX, 2));
  });

  it('another seed gives another mix of callees', () => {
    const a = numbers.map((n) => calleeFor(n, 'seed-1', DEFAULT_MIX, 0).behaviour);
    const b = numbers.map((n) => calleeFor(n, 'seed-2', DEFAULT_MIX, 0).behaviour);
    expect(a).not.toEqual(b);
  });

  it('a redial can turn out differently, but the callee keeps their gender', () => {
    const outcomes = numbers.slice(0, 50).map((n) => [0, 1, 2, 3].map((nth) => calleeFor(n, 's', DEFAULT_MIX, nth).behaviour).join());
    expect(outcomes.some((o) => new Set(o.split(',')).size > 1)).toBe(true);
    for (const n of numbers.slice(0, 50)) expect(calleeFor(n, 's', DEFAULT_MIX, 3).gender).toBe(calleeFor(n, 's', DEFAULT_MIX, 0).gender);
  });

  it('a single weight makes every callee behave that way', () => {
    const onlyBusy: Mix = { human: 0, no_answer: 0, busy: 1, machine: 0, short: 0, failed: 0, invalid: 0 };
    for (const n of numbers) expect(calleeFor(n, 's', onlyBusy, 0).behaviour).toBe('busy');
    const onlyFailed = parseMix('failed=3');
    for (const n of numbers.slice(0, 20)) expect(calleeFor(n, 's', onlyFailed, 0).behaviour).toBe('failure');
  });

  it('weights shape the mix roughly in proportion', () => {
    const mix = parseMix('human=3,busy=1');
    const counts = { human: 0, busy: 0 };
    for (const n of numbers) counts[calleeFor(n, 's', mix, 0).behaviour as 'human' | 'busy']++;
    expect(counts.human + counts.busy).toBe(numbers.length);
    expect(counts.human / numbers.length).toBeGreaterThan(0.6);
    expect(counts.human / numbers.length).toBeLessThan(0.9);
  });

  it('profiles are well-formed: a persona that talks, a ring of 2–9 s', () => {
    for (const n of numbers) {
      const p = calleeFor(n, 's', DEFAULT_MIX, 0);
      expect(['agree', 'decline', 'undecided']).toContain(p.persona);
      expect(['female', 'male']).toContain(p.gender);
      expect(p.ringSec).toBeGreaterThanOrEqual(2);
      expect(p.ringSec).toBeLessThanOrEqual(9);
    }
  });

  it('seededUnit is deterministic and in [0, 1)', () => {
    expect(seededUnit('a', 'b')).toBe(seededUnit('a', 'b'));
    expect(seededUnit('a', 'b')).not.toBe(seededUnit('ab'));
    for (let i = 0; i < 100; i++) {
      const u = seededUnit(String(i));
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe('parseMix (SANDBOX_MIX)', () => {
  it('no setting means the default mix', () => {
    expect(parseMix(undefined)).toBe(DEFAULT_MIX);
    expect(parseMix('')).toBe(DEFAULT_MIX);
  });

  it('reads weights; the ones not named are zero', () => {
    expect(parseMix(' human = 40 , busy=10,,machine=2.5 ')).toEqual({ human: 40, no_answer: 0, busy: 10, machine: 2.5, short: 0, failed: 0, invalid: 0 });
  });

  it.each([
    ['fax=10', 'an unknown outcome'],
    ['toString=10', 'an inherited property name'],
    ['__proto__=10', 'the prototype'],
    ['human', 'a missing weight'],
    ['human=', 'an empty weight'],
    ['human=-5', 'a negative weight'],
    ['human=lots', 'a word'],
    ['human=1=2', 'two equals signs'],
    ['=5', 'a missing name'],
  ])('%j is a configuration error (%s)', (spec) => {
    expect(() => parseMix(spec)).toThrow(`SANDBOX_MIX: cannot read`);
  });

  it('all-zero weights are a configuration error', () => {
    expect(() => parseMix('human=0,busy=0')).toThrow('SANDBOX_MIX: all weights are zero');
  });
});

describe('transfer targets', () => {
  it('a target ending 0001 is busy, 0002 never answers, 0008 does not exist; any other answers', async () => {
    const { transferTargetOf } = await import('../../../../src/voice/sandbox/callees.js');
    expect(['+79990000001', '+79990000002', '+79990000008', '+79990000004', 'sip:op@pbx.example.com'].map(transferTargetOf)).toEqual(['busy', 'no_answer', 'fail', 'answer', 'answer']);
  });
});
