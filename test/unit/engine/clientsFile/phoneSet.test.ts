import { describe, expect, it } from 'vitest';
import { PhoneSet } from '../../../../src/engine/clientsFile/phoneSet.js';

describe('PhoneSet', () => {
  it('remembers numbers across growth and tells repeats', () => {
    const set = new PhoneSet();
    const numbers = Array.from({ length: 50_000 }, (_, i) => `+7900${String(i * 7).padStart(7, '0')}`);
    expect(numbers.filter((n) => set.add(n))).toHaveLength(numbers.length);
    expect(set.size).toBe(numbers.length);
    expect(numbers.filter((n) => set.add(n))).toHaveLength(0);
    expect(set.has('+79000000007')).toBe(true);
    expect(set.has('+79000000008')).toBe(false);
  });

  it('keeps 15-digit numbers apart exactly', () => {
    const set = new PhoneSet();
    expect(set.add('+999999999999998')).toBe(true);
    expect(set.add('+999999999999999')).toBe(true);
    expect(set.has('+999999999999997')).toBe(false);
  });
});
