import type { Gender, Outcome } from '../../../core/outcome.js';
import type { AppContext } from '../../../context.js';
import type { Attempt } from '../../../store/repositories/attempts.js';
import type { JobPayload } from '../jobs.js';
import { PENDING_OUTCOME, type ReturnValueKey } from '../robots/robotDefinition.js';
import { answersText, talkSeconds } from './callTexts.js';
import { recordingLink } from './recordingLink.js';

/**
 * The robot's return values (C2): once its number is done (redials included) — or earlier, after
 * the first call or at Bitrix24's deadline, with what is known by then:
 *
 * - `outcome`: the deciding call's outcome — the call that reached the person, else the last call;
 *   `invalid_number` when the document had no usable phone, `failed` when it could not be read,
 *   `cancelled` when the campaign was stopped before any call, `pending` when no call has ended yet;
 * - `result`: the scenario's result code ('' if none); `gender`: female / male / unknown;
 * - `attempts`: calls placed so far; `duration`: talk seconds of the deciding call;
 * - `recording_url`: a permanent signed link to its recording ('' if none);
 * - `answers`: the collected answers, one "question: answer (branch)" per line;
 * - `final`: `Y` when the number is done, `N` when calls go on (their outcome then reaches
 *   automation through the app triggers, triggers/appTriggers.ts).
 */
export interface ReturnValues {
  outcome: Outcome | typeof PENDING_OUTCOME;
  result: string;
  gender: Gender;
  attempts: number;
  duration: number;
  recording_url: string;
  answers: string;
  final: 'Y' | 'N';
}

/** Where a run's number stands when it answers: done (with how), or calls still to come. */
export type RunState = NonNullable<JobPayload<'robot.return'>['status']> | 'open';
// The keys registered as RETURN_PROPERTIES and the keys sent must be the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const returnKeysMatch: Same<keyof ReturnValues, ReturnValueKey> = true;

export function decidingAttempt(status: RunState | undefined, attempts: Attempt[]): Attempt | undefined {
  const placed = attempts.filter((a) => a.placed || a.consumed);
  if (status === 'reached') return [...placed].reverse().find((a) => a.outcome === 'human') ?? placed.at(-1);
  return placed.at(-1);
}

export function returnValues(app: AppContext, status: RunState, attempts: Attempt[], contactResult: string | null): ReturnValues {
  const placed = attempts.filter((a) => a.placed || a.consumed);
  const deciding = decidingAttempt(status, attempts);
  let outcome: ReturnValues['outcome'];
  if (status === 'no_phone') outcome = 'invalid_number';
  else if (status === 'failed') outcome = 'failed';
  else if (status === 'cancelled' && !deciding) outcome = 'cancelled';
  else if (status === 'open' && !deciding) outcome = PENDING_OUTCOME;
  else outcome = deciding?.outcome ?? 'failed';
  return {
    outcome,
    result: contactResult ?? deciding?.result ?? '',
    gender: deciding?.gender ?? 'unknown',
    attempts: placed.length,
    duration: deciding ? talkSeconds(deciding) : 0,
    recording_url: deciding ? (recordingLink(app, deciding) ?? '') : '',
    answers: deciding ? answersText(deciding) : '',
    final: status === 'open' ? 'N' : 'Y',
  };
}
