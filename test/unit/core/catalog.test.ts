import { describe, expect, it } from 'vitest';
import {
  applyDialPlan,
  callerIdGroupSchema,
  dialPlanRuleSchema,
  dialPlanSchema,
  redialRuleSetSchema,
  transferDirectionSchema,
} from '../../../src/core/catalog.js';
import { toFieldIssues } from '../../../src/core/validation.js';

const rule = (r: Record<string, unknown>) => dialPlanRuleSchema.parse(r);

describe('applyDialPlan (T3)', () => {
  it('without rules the number is dialled as E.164', () => {
    expect(applyDialPlan('+74959898533', [])).toBe('+74959898533');
  });

  it('a rule rewrites the country code into a national trunk prefix', () => {
    expect(applyDialPlan('+74959898533', [rule({ prefix: '7', stripDigits: 1, addPrefix: '8' })])).toBe('84959898533');
  });

  it('the first matching rule wins', () => {
    const rules = [rule({ prefix: '7495', addPrefix: '9' }), rule({ prefix: '7', stripDigits: 1, addPrefix: '8' })];
    expect(applyDialPlan('+74959898533', rules)).toBe('974959898533');
    expect(applyDialPlan('+79000000004', rules)).toBe('89000000004');
  });

  it('a number no rule matches is left alone', () => {
    expect(applyDialPlan('+12015550123', [rule({ prefix: '7', stripDigits: 1, addPrefix: '8' })])).toBe('+12015550123');
  });

  it('an empty prefix matches every number', () => {
    expect(applyDialPlan('+12015550123', [rule({ addPrefix: '00' })])).toBe('0012015550123');
  });

  it('a technical prefix with * and # is kept as is', () => {
    expect(applyDialPlan('+79000000004', [rule({ prefix: '79', addPrefix: '*55#' })])).toBe('*55#79000000004');
  });
});

describe('catalog schemas', () => {
  it('a dial-plan rule defaults to "all numbers, unchanged"', () => {
    expect(rule({})).toEqual({ prefix: '', stripDigits: 0, addPrefix: '' });
  });

  it('a dial-plan rule prefix is digits only, and the added prefix is dialable characters only', () => {
    const r = dialPlanRuleSchema.safeParse({ prefix: '+7', addPrefix: '8-' });
    expect(r.success).toBe(false);
    expect(r.error && toFieldIssues(r.error).map((i) => `${i.path} ${i.key}`)).toEqual([
      'prefix validation.digits_only',
      'addPrefix validation.dial_prefix',
    ]);
  });

  it('a dial plan has a trunk and at most 50 rules', () => {
    expect(dialPlanSchema.parse({ name: 'Main', trunk: 'sip-main' })).toEqual({ name: 'Main', trunk: 'sip-main', rules: [] });
    expect(dialPlanSchema.safeParse({ name: 'Main', trunk: ' ' }).success).toBe(false);
    expect(dialPlanSchema.safeParse({ name: 'Main', trunk: 't', rules: Array.from({ length: 51 }, () => ({})) }).success).toBe(false);
  });

  it('a caller-ID group needs numbers; its strategy and country have defaults', () => {
    expect(callerIdGroupSchema.parse({ name: 'Moscow', numbers: ['+74959898533'], country: 'ru' })).toEqual({
      name: 'Moscow',
      numbers: ['+74959898533'],
      strategy: 'round_robin',
      country: 'RU',
    });
    expect(callerIdGroupSchema.safeParse({ name: 'Empty', numbers: [] }).success).toBe(false);
    expect(callerIdGroupSchema.safeParse({ name: 'X', numbers: ['1'] }).success).toBe(false);
  });

  it('a transfer direction rings its numbers one by one for 30 s by default', () => {
    expect(transferDirectionSchema.parse({ name: 'Sales', numbers: ['101', '102'] })).toEqual({
      name: 'Sales',
      numbers: ['101', '102'],
      strategy: 'sequential',
      ringTimeoutSec: 30,
      country: 'RU',
    });
    expect(transferDirectionSchema.safeParse({ name: 'Sales', numbers: ['101'], ringTimeoutSec: 4 }).success).toBe(false);
  });

  it('a redial-rule set is a name and T12 rules', () => {
    expect(redialRuleSetSchema.parse({ name: 'Standard', rules: { busy: { delayMinutes: 5, maxCount: 2 } } })).toEqual({
      name: 'Standard',
      rules: { busy: { delayMinutes: 5, from: 'start', maxCount: 2 } },
    });
    expect(redialRuleSetSchema.safeParse({ name: '', rules: {} }).success).toBe(false);
  });
});
