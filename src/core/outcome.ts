/**
 * Outcome codes are a fixed contract: stored in attempts, returned to Bitrix24 robots
 * (RETURN_PROPERTIES `outcome`), sent in webhooks. Never rename one.
 */
export const OUTCOMES = ['human', 'machine', 'busy', 'no_answer', 'short', 'failed', 'invalid_number', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const AMD_VERDICTS = ['human', 'machine', 'not_sure', 'not_checked'] as const;
export type AmdVerdict = (typeof AMD_VERDICTS)[number];

export const GENDERS = ['female', 'male', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** How the network ended a call, as a platform reports it. */
export const HANGUP_CAUSES = ['answered', 'busy', 'no_answer', 'failed', 'invalid_number', 'cancelled'] as const;
export type HangupCause = (typeof HANGUP_CAUSES)[number];

/** Which redial rule an outcome falls under (T12); human calls are not redialled by rule. */
export type RedialEvent = 'busy' | 'noAnswer' | 'machine' | 'short' | 'failure';

export interface ClassifyInput {
  cause: HangupCause;
  amdVerdict: AmdVerdict;
  /** Seconds from answer to hang-up. */
  talkSec: number;
  /** Calls shorter than this after answer, without a scenario result, are "short". */
  shortCallSec: number;
  /** The scenario set a result before the call ended. */
  hasResult: boolean;
}

export function classifyOutcome(i: ClassifyInput): Outcome {
  switch (i.cause) {
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'no_answer';
    case 'failed':
      return 'failed';
    case 'invalid_number':
      return 'invalid_number';
    case 'cancelled':
      return 'cancelled';
    case 'answered':
      if (i.amdVerdict === 'machine') return 'machine';
      if (!i.hasResult && i.talkSec < i.shortCallSec) return 'short';
      return 'human';
  }
}

export function redialEventOf(outcome: Outcome): RedialEvent | undefined {
  switch (outcome) {
    case 'busy':
      return 'busy';
    case 'no_answer':
      return 'noAnswer';
    case 'machine':
      return 'machine';
    case 'short':
      return 'short';
    case 'failed':
      return 'failure';
    default:
      return undefined;
  }
}

/** Ineffective calls (T9): answered, but shorter than the template's threshold. Only for reports. */
export function isIneffective(outcome: Outcome, talkSec: number, thresholdSec: number): boolean {
  return (outcome === 'human' || outcome === 'short') && thresholdSec > 0 && talkSec < thresholdSec;
}
