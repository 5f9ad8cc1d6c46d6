import { z } from 'zod';
import { redialRulesSchema } from './redial.js';

/** Supporting entities a template refers to (T3, T5, T6, T12). */
const name = z.string().trim().min(1).max(80);
const phoneLike = z.string().trim().min(2).max(32);

export const redialRuleSetSchema = z.object({ name, rules: redialRulesSchema }).strict();
export type RedialRuleSetInput = z.output<typeof redialRuleSetSchema>;

export const callerIdGroupSchema = z
  .object({
    name,
    /** Numbers shown to callees; one is picked per call. Normalised to E.164 on save. */
    numbers: z.array(phoneLike).min(1).max(1000),
    strategy: z.enum(['round_robin', 'random']).default('round_robin'),
    /** Country for normalising national numbers in the list. */
    country: z.string().length(2).toUpperCase().default('RU'),
  })
  .strict();
export type CallerIdGroupInput = z.output<typeof callerIdGroupSchema>;

/** A dial-plan rule rewrites the dialled number for a trunk: strip a prefix, add another. */
export const dialPlanRuleSchema = z
  .object({
    /** Applies to numbers starting with this (E.164 without "+"), empty = all. */
    prefix: z.string().regex(/^\d{0,15}$/, { message: 'validation.digits_only' }).default(''),
    stripDigits: z.number().int().min(0).max(15).default(0),
    addPrefix: z.string().regex(/^[\d*#+]{0,16}$/, { message: 'validation.dial_prefix' }).default(''),
  })
  .strict();

export const dialPlanSchema = z
  .object({
    name,
    /** The trunk (SIP account / carrier route) the platform dials through. */
    trunk: z.string().trim().min(1).max(200),
    rules: z.array(dialPlanRuleSchema).max(50).default([]),
  })
  .strict();
export type DialPlanInput = z.output<typeof dialPlanSchema>;

export const transferDirectionSchema = z
  .object({
    name,
    numbers: z.array(phoneLike).min(1).max(50),
    /** Ring the numbers one after another, or all at once. */
    strategy: z.enum(['sequential', 'simultaneous']).default('sequential'),
    ringTimeoutSec: z.number().int().min(5).max(120).default(30),
    country: z.string().length(2).toUpperCase().default('RU'),
  })
  .strict();
export type TransferDirectionInput = z.output<typeof transferDirectionSchema>;

/** Applies a dial plan's first matching rule to an E.164 number. */
export function applyDialPlan(e164: string, rules: z.output<typeof dialPlanRuleSchema>[]): string {
  const digits = e164.replace(/^\+/, '');
  const rule = rules.find((r) => digits.startsWith(r.prefix));
  if (!rule) return e164;
  return rule.addPrefix + digits.slice(rule.stripDigits);
}
