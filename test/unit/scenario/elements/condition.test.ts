import { describe, expect, it } from 'vitest';
import { compare, condition } from '../../../../src/scenario/elements/condition.js';
import { runElement } from '../support/elementContext.js';

describe('compare', () => {
  it.each([
    ['10', 'gt', '9', true, 'numbers compare as numbers, not as text'],
    ['10', 'lt', '9', false, 'numbers compare as numbers, not as text'],
    ['1,5', 'eq', '1.5', true, 'a decimal comma is a decimal point'],
    ['1 000', 'eq', '1000', true, 'spaces between digit groups are ignored'],
    [' 3 ', 'gte', '3', true, 'surrounding spaces are ignored'],
    ['3', 'lte', '2', false, 'lte on numbers'],
    ['3', 'ne', '3.0', false, 'ne on numbers'],
    ['Anna', 'eq', 'anna', true, 'text compares case-insensitively'],
    ['Anna', 'ne', 'Boris', true, 'ne on text'],
    ['b', 'gt', 'a', true, 'text orders alphabetically'],
    ['abc', 'gt', '5', true, 'a number and a text compare as text'],
    ['Москва, Тверская', 'contains', 'москва', true, 'contains ignores case'],
    ['Казань', 'not_contains', 'москва', true, 'not_contains'],
    ['', 'empty', '', true, 'an empty value is empty'],
    ['   ', 'empty', '', true, 'whitespace is empty'],
    ['x', 'not_empty', '', true, 'a value is not empty'],
    ['', 'eq', '', true, 'two empty values are equal'],
  ] as const)('%j %s %j is %s (%s)', (left, op, right, expected, _why) => {
    expect(compare(left, op, right)).toBe(expected);
  });
});

describe('condition (M19)', () => {
  it('branches on rendered variables: "{name} is not empty" → true', async () => {
    expect(await runElement(condition, { left: '{name}', operator: 'not_empty' }, { vars: { name: 'Anna' } })).toEqual({ exit: 'true' });
    expect(await runElement(condition, { left: '{name}', operator: 'not_empty' }, { vars: {} })).toEqual({ exit: 'false' });
  });

  it('compares two variables', async () => {
    const vars = { attempt: '3', max: '2' };
    expect(await runElement(condition, { left: '{attempt}', operator: 'gt', right: '{max}' }, { vars })).toEqual({ exit: 'true' });
  });

  it('has two required exits, declares the variables of both sides, needs no media', () => {
    const s = condition.settingsSchema.parse({ left: '{a}', operator: 'eq', right: '{b}' });
    expect(condition.exits(s)).toEqual([
      { name: 'true', required: true },
      { name: 'false', required: true },
    ]);
    expect(condition.variablesUsed(s)).toEqual(['a', 'b']);
    expect(condition.needs).toBe('none');
    expect(condition.settingsSchema.safeParse({ left: 'x', operator: 'between' }).success).toBe(false);
  });

  it('awaits no media, so there is nothing to abort midway', async () => {
    const call = new AbortController();
    call.abort('callee_hangup');
    expect(await runElement(condition, { left: 'a', operator: 'eq', right: 'a' }, { signal: call.signal })).toEqual({ exit: 'true' });
  });
});
