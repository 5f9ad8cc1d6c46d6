import type { RobotReturnMode } from '../../../core/template.js';

/**
 * When a robot must have answered. Bitrix24 hands the robot `timeout_duration` (seconds, e.g. 660)
 * and stops waiting after it: a `bizproc.event.send` later than that is refused and its values are
 * lost (brief §2.3, gotcha 14). The clock starts when the workflow reached the robot, which can be
 * before the call arrives (the queue server delivers late, gotcha 4): the call's `ts` says when it
 * was sent, and counts when it is earlier than the moment it arrived (never when it claims a later
 * time, nor when it is so far off that it is another clock's).
 *
 * The answer leaves before the deadline by a margin: a tenth of the timeout, at least 5 s and at
 * most a minute (for 660 s: at 600 s) — room for the outbox to pick the job up, the portal's rate
 * limit and the network. Very short timeouts are answered half-way.
 */
const TS_TRUST_MS = 10 * 60_000;

export function robotDeadline(o: { receivedAt: Date; timeoutSec: number | undefined; ts: number | undefined }): Date | null {
  if (!o.timeoutSec || o.timeoutSec <= 0) return null;
  const received = o.receivedAt.getTime();
  const sent = o.ts !== undefined ? o.ts * 1000 : NaN;
  const start = Number.isFinite(sent) && sent <= received && received - sent <= TS_TRUST_MS ? sent : received;
  return new Date(start + o.timeoutSec * 1000);
}

/** The moment to answer at the latest, for a robot that Bitrix24 waits `timeoutSec` for until `deadline`. */
export function answerBy(deadline: Date, timeoutSec: number): Date {
  const margin = timeoutSec < 10 ? timeoutSec / 2 : Math.min(60, Math.max(5, timeoutSec / 10));
  return new Date(deadline.getTime() - margin * 1000);
}

/**
 * Whether a run's answer is due now: once its number is done (final), after its first call in
 * `first_attempt` mode, and at `answerBy` in any case.
 */
export function answerDue(o: { mode: RobotReturnMode; finished: boolean; callsMade: number; now: Date; answerBy: Date | null }): boolean {
  if (o.finished) return true;
  if (o.mode === 'first_attempt' && o.callsMade > 0) return true;
  return o.answerBy !== null && o.now.getTime() >= o.answerBy.getTime();
}
