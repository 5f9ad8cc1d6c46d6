import type { AppContext } from '../../context.js';
import { withTransaction } from '../../store/db.js';
import { findAttemptById } from '../../store/repositories/attempts.js';
import { closeAttempt } from '../closeAttempt.js';

/**
 * Numbers left "dialing" by a worker that died (its lease expired without the call's end being
 * recorded) are recovered exactly once, by whichever process gets there first:
 * - the call was never handed to the platform → the number goes back to the queue, nothing counted;
 * - the call was placed but its end never arrived → the attempt is closed as a lost call (it counted:
 *   a call was really placed) and the number follows its redial rules.
 * A late "ended" from the platform afterwards is ignored: the attempt is already complete.
 */
export async function recoverExpiredLeases(app: AppContext, limit = 200): Promise<number> {
  const now = app.clock.now();
  const stuck = await app.db.query<{ id: string }>(
    `SELECT id FROM campaign_numbers WHERE status = 'dialing' AND locked_until < $1 ORDER BY locked_until LIMIT $2`,
    [now, limit],
  );
  let recovered = 0;
  for (const { id } of stuck.rows) {
    const did = await withTransaction(app.db, async (tx) => {
      const row = await tx.query<{ current_attempt_id: string | null; locked_until: Date | null; status: string }>(
        'SELECT current_attempt_id, locked_until, status FROM campaign_numbers WHERE id = $1 FOR UPDATE SKIP LOCKED',
        [id],
      );
      const n = row.rows[0];
      if (!n || n.status !== 'dialing' || !n.locked_until || n.locked_until >= now) return false;
      const attempt = n.current_attempt_id ? await findAttemptById(tx, n.current_attempt_id) : undefined;
      if (!attempt || attempt.status === 'completed') {
        await tx.query(
          `UPDATE campaign_numbers SET status = CASE WHEN attempts_made = 0 THEN 'new' ELSE 'callback' END,
             current_attempt_id = NULL, locked_by = NULL, locked_until = NULL, ready_at = $2, next_attempt_at = $2, updated_at = $2
           WHERE id = $1`,
          [id, now],
        );
        return true;
      }
      const placed = attempt.placed || attempt.providerCallId !== null;
      await closeAttempt(app, tx, attempt.id, {
        outcome: placed ? 'failed' : 'cancelled',
        amdVerdict: attempt.amdVerdict ?? 'not_checked',
        gender: attempt.gender ?? 'unknown',
        sipCode: null,
        error: placed ? 'call lost: the worker handling it stopped before its end was recorded' : 'released: the worker stopped before dialling',
        ineffective: false,
        endedAt: now,
        durationSec: 0,
        talkSec: 0,
        recordingSource: null,
        answeredAt: attempt.answeredAt,
        placed,
        technical: placed,
        consumed: placed,
      });
      return true;
    });
    if (did) recovered++;
  }
  if (recovered) app.log.warn({ recovered }, 'recovered numbers left dialing by a stopped worker');
  return recovered;
}
