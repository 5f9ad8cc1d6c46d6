import type { AppContext } from '../context.js';
import type { Queryable } from '../store/db.js';
import { completeAttempt, findAttemptById, type Attempt, type Completion } from '../store/repositories/attempts.js';

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
