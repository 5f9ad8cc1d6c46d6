import { z } from 'zod';
import type { RedialEvent } from './outcome.js';

/**
 * Redial rules per event (T12): busy, no answer, answering machine, short call, operator failure —
 * each with a delay counted from the call's start or from the answer, and a maximum number of redials.
 */
export const REDIAL_EVENTS = ['busy', 'noAnswer', 'machine', 'short', 'failure'] as const satisfies readonly RedialEvent[];

export const redialRuleSchema = z
  .object({
    /** Minutes to wait before calling again. */
    delayMinutes: z.number().min(0).max(60 * 24 * 30),
    /** Count the delay from the call's start or from the moment it was answered. */
    from: z.enum(['start', 'answer']).default('start'),
    /** How many redials this event may cause for one number (0 = none). */
    maxCount: z.number().int().min(0).max(99),
  })
  .strict();
export type RedialRule = z.infer<typeof redialRuleSchema>;

export const redialRulesSchema = z
  .object({
    busy: redialRuleSchema.optional(),
    noAnswer: redialRuleSchema.optional(),
    machine: redialRuleSchema.optional(),
    short: redialRuleSchema.optional(),
    failure: redialRuleSchema.optional(),
  })
  .strict();
export type RedialRules = z.infer<typeof redialRulesSchema>;

/** How many redials each event has already caused for a number. */
export type RedialCounts = Partial<Record<RedialEvent, number>>;

export interface FinishedCall {
  startedAt: Date;
  answeredAt: Date | null;
}

export type RedialDecision =
  | { redial: true; event: RedialEvent; at: Date; count: number }
  | { redial: false; reason: 'no_rule' | 'limit_reached' };

/**
 * Whether and when to call again after a call ended with `event`. A delay "from answer" on a call
 * that was never answered (busy, no answer) counts from its start.
 */
export function decideRedial(rules: RedialRules, event: RedialEvent, counts: RedialCounts, call: FinishedCall): RedialDecision {
  const rule = rules[event];
  if (!rule || rule.maxCount === 0) return { redial: false, reason: 'no_rule' };
  const done = counts[event] ?? 0;
  if (done >= rule.maxCount) return { redial: false, reason: 'limit_reached' };
  const base = rule.from === 'answer' && call.answeredAt ? call.answeredAt : call.startedAt;
  return { redial: true, event, at: new Date(base.getTime() + rule.delayMinutes * 60_000), count: done + 1 };
}
