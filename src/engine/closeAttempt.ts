import type { AppContext } from '../context.js';
import type { Queryable } from '../store/db.js';
import { completeAttempt, type Attempt, type Closing, type Completion } from '../store/repositories/attempts.js';

/**
 * The completion of an attempt that never became a call: the platform refused it, or it was given
 * back before dialling. Nothing was said, nobody answered.
 */
export function withoutCall(o: {
  outcome: 'failed' | 'cancelled';
  error: string;
  at: Date;
  technical: boolean;
  consumed: boolean;
}): Completion & { consumed: boolean; technical: boolean; placed: boolean } {
  return {
    outcome: o.outcome,
    amdVerdict: 'not_checked',
    gender: 'unknown',
    sipCode: null,
    error: o.error,
    ineffective: false,
    endedAt: o.at,
    durationSec: 0,
    talkSec: 0,
    recordingSource: null,
    answeredAt: null,
    technical: o.technical,
    placed: false,
    consumed: o.consumed,
  };
}

/**
 * Completes an attempt once and runs the completion hooks in the caller's transaction — the one
 * path for a platform's "ended" event, a call that could not be placed, and a call lost in a crash.
 */
export async function closeAttempt(
  app: AppContext,
  tx: Queryable,
  attemptId: string,
  c: Closing,
): Promise<Attempt | undefined> {
  // One statement completes it and returns the row the hooks see (a repeated callback gets none).
  const finished = await completeAttempt(tx, attemptId, c);
  if (!finished) return undefined;
  for (const hook of app.hooks.attemptCompleted) await hook(tx, finished);
  return finished;
}
