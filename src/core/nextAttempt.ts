import type { CampaignSettings } from './campaign.js';
import { redialEventOf, type Outcome, type RedialEvent } from './outcome.js';
import { decideRedial, type RedialCounts, type RedialRules } from './redial.js';

/**
 * What happens to a number after one of its calls: call again (when, and why), or stop (and with
 * which status). The template's per-event redial rules (T12), the campaign's attempts, pause and
 * "call again if shorter" (J1), the answered / not-answered schedules (V2) and redials the scenario
 * asks for all meet here; the campaign's maximum caps them all.
 */
export const NUMBER_STATUSES = ['new', 'dialing', 'answered', 'not_answered', 'callback', 'failed', 'done', 'cancelled'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

export interface NumberProgress {
  /** Calls that counted so far, including the one that just ended when it counted. */
  attemptsMade: number;
  /** Calls so far in which a human was reached. */
  answeredCalls: number;
  redialCounts: RedialCounts;
  /** Technical errors in a row (not counted as attempts) before this one. */
  techErrors: number;
}

export interface EndedCall {
  outcome: Outcome;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  talkSec: number;
  /** The scenario asked to call again after this many minutes (e.g. "call me back later"). */
  scenarioRedialMinutes: number | null;
}

export type NextStep =
  | { kind: 'again'; readyAt: Date; why: 'redial_rule' | 'attempts' | 'scenario' | 'too_short' | 'schedule'; event?: RedialEvent; redialCounts: RedialCounts }
  | { kind: 'stop'; status: 'answered' | 'not_answered' | 'failed'; reached: boolean };

const minutes = (at: Date, m: number) => new Date(at.getTime() + m * 60_000);

export function nextAfterCall(s: CampaignSettings, rules: RedialRules, p: NumberProgress, call: EndedCall): NextStep {
  const capReached = p.attemptsMade >= s.attempts.max;
  if (call.outcome === 'invalid_number') return { kind: 'stop', status: 'failed', reached: false };
  if (call.outcome === 'cancelled') return { kind: 'stop', status: 'not_answered', reached: false };

  if (call.outcome === 'human') {
    const stop: NextStep = { kind: 'stop', status: 'answered', reached: true };
    if (capReached) return stop;
    if (call.scenarioRedialMinutes !== null) {
      return { kind: 'again', readyAt: minutes(call.endedAt, call.scenarioRedialMinutes), why: 'scenario', redialCounts: p.redialCounts };
    }
    if (s.recallIfShorterSec > 0 && call.talkSec < s.recallIfShorterSec) {
      return { kind: 'again', readyAt: minutes(call.endedAt, s.pauseMinutes), why: 'too_short', redialCounts: p.redialCounts };
    }
    const answered = s.schedules.answered;
    if (answered && p.answeredCalls < answered.calls) {
      return { kind: 'again', readyAt: minutes(call.endedAt, answered.intervalMinutes), why: 'schedule', redialCounts: p.redialCounts };
    }
    return stop;
  }

  // Not reached: busy, no answer, machine, short, operator failure.
  const finalStatus = call.outcome === 'failed' ? 'failed' : 'not_answered';
  const stop: NextStep = { kind: 'stop', status: finalStatus, reached: false };
  if (capReached) return stop;
  const event = redialEventOf(call.outcome);
  if (event) {
    const d = decideRedial(rules, event, p.redialCounts, { startedAt: call.startedAt, answeredAt: call.answeredAt });
    if (d.redial) {
      return { kind: 'again', readyAt: d.at, why: 'redial_rule', event, redialCounts: { ...p.redialCounts, [event]: d.count } };
    }
  }
  if (p.attemptsMade < s.attempts.initial) {
    return { kind: 'again', readyAt: minutes(call.endedAt, s.pauseMinutes), why: 'attempts', redialCounts: p.redialCounts };
  }
  const notAnswered = s.schedules.notAnswered;
  if (notAnswered && p.attemptsMade < notAnswered.calls) {
    return { kind: 'again', readyAt: minutes(call.endedAt, notAnswered.intervalMinutes), why: 'schedule', redialCounts: p.redialCounts };
  }
  return stop;
}

/** J2: after a technical error the wait doubles from 1 minute; the 9th in a row costs an attempt. */
export const TECH_ERRORS_PER_ATTEMPT = 9;

export function afterTechnicalError(techErrorsBefore: number, at: Date): { readyAt: Date; techErrors: number; consumesAttempt: boolean } {
  const n = techErrorsBefore + 1;
  if (n >= TECH_ERRORS_PER_ATTEMPT) return { readyAt: minutes(at, 1), techErrors: 0, consumesAttempt: true };
  return { readyAt: minutes(at, 2 ** (n - 1)), techErrors: n, consumesAttempt: false };
}
