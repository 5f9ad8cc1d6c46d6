import type { AppContext } from '../context.js';
import type { Queryable } from '../store/db.js';
import { completeAttempt, findAttemptById, type Attempt, type Completion } from '../store/repositories/attempts.js';

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
  c: Completion & { consumed?: boolean; technical?: boolean; placed?: boolean },
): Promise<Attempt | undefined> {
  const done = await completeAttempt(tx, attemptId, c);
  if (!done) return undefined;
  if (c.consumed !== undefined || c.technical !== undefined || c.placed !== undefined) {
    await tx.query(
      `UPDATE attempts SET consumed = COALESCE($2, consumed), technical = COALESCE($3, technical), placed = COALESCE($4, placed),
         dialed_at = CASE WHEN $4 = false THEN NULL ELSE dialed_at END
       WHERE id = $1`,
      [attemptId, c.consumed ?? null, c.technical ?? null, c.placed ?? null],
    );
  }
  const finished = (await findAttemptById(tx, attemptId))!;
  for (const hook of app.hooks.attemptCompleted) await hook(tx, finished);
  return finished;
}
