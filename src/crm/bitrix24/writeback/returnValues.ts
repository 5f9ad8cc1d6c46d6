import type { Gender, Outcome } from '../../../core/outcome.js';
import type { AppContext } from '../../../context.js';
import type { Attempt } from '../../../store/repositories/attempts.js';
import type { JobPayload } from '../jobs.js';
import type { ReturnValueKey } from '../robots/robotDefinition.js';
import { answersText, talkSeconds } from './callTexts.js';
import { recordingLink } from './recordingLink.js';

/**
 * The robot's return values (C2) once its number is done, redials included:
 *
 * - `outcome`: the deciding call's outcome — the call that reached the person, else the last call;
 *   `invalid_number` when the document had no usable phone, `failed` when it could not be read,
 *   `cancelled` when the campaign was stopped before any call;
 * - `result`: the scenario's result code ('' if none); `gender`: female / male / unknown;
 * - `attempts`: calls placed; `duration`: talk seconds of the deciding call;
 * - `recording_url`: a permanent signed link to its recording ('' if none);
 * - `answers`: the collected answers, one "question: answer (branch)" per line.
 */
export interface ReturnValues {
  outcome: Outcome;
  result: string;
  gender: Gender;
  attempts: number;
  duration: number;
  recording_url: string;
  answers: string;
}
// The keys registered as RETURN_PROPERTIES and the keys sent must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const returnKeysMatch: Same<keyof ReturnValues, ReturnValueKey> = true;

export function decidingAttempt(status: JobPayload<'robot.return'>['status'], attempts: Attempt[]): Attempt | undefined {
  const placed = attempts.filter((a) => a.placed || a.consumed);
  if (status === 'reached') return [...placed].reverse().find((a) => a.outcome === 'human') ?? placed.at(-1);
  return placed.at(-1);
}

export function returnValues(app: AppContext, status: JobPayload<'robot.return'>['status'], attempts: Attempt[], contactResult: string | null): ReturnValues {
  const placed = attempts.filter((a) => a.placed || a.consumed);
  const deciding = decidingAttempt(status, attempts);
  let outcome: Outcome;
  if (status === 'no_phone') outcome = 'invalid_number';
  else if (status === 'failed') outcome = 'failed';
  else if (status === 'cancelled' && !deciding) outcome = 'cancelled';
  else outcome = deciding?.outcome ?? 'failed';
  return {
    outcome,
    result: contactResult ?? deciding?.result ?? '',
    gender: deciding?.gender ?? 'unknown',
    attempts: placed.length,
    duration: deciding ? talkSeconds(deciding) : 0,
    recording_url: deciding ? (recordingLink(app, deciding) ?? '') : '',
    answers: deciding ? answersText(deciding) : '',
  };
}
