import { z } from 'zod';
import { backoff, type HandlerControl, type HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { t, type Locale } from '../../../i18n.js';
import { completedAttemptsOfContact, type Attempt } from '../../../store/repositories/attempts.js';
import { findContact } from '../../../store/repositories/numbers.js';
import type { Queryable } from '../../../store/db.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import type { B24Context } from '../b24Context.js';
import { attemptWritebackKey, writebackPending, type JobPayload } from '../jobs.js';
import { isAccessDenied, isB24Error } from '../rest/b24Error.js';
import { answerDue } from '../robots/returnDeadline.js';
import { findInstalledPortal } from '../store/portals.js';
import { findRobotRun, setRobotRunFinished, stillWaiting } from '../store/robotRuns.js';
import { outcomeText } from './callTexts.js';
import { mayWaitForRecording, recordingWaitUntil, waitForRecording } from './recordingLink.js';
import { decidingAttempt, returnValues, type ReturnValues, type RunState } from './returnValues.js';

/**
 * `robot.return` (C2): the workflow gets its values with `bizproc.event.send` and moves on — once
 * its number is done, after its first call (template setting `robotReturn: first_attempt`), and in
 * any case before Bitrix24 stops waiting (`answer_by`, robots/returnDeadline.ts) with the latest
 * outcome known, the calls made so far and `final: N`. Calling then goes on as the template says;
 * the outcome that comes later reaches automation through the app triggers (triggers/).
 *
 * One job per run, due at its answer-by time, brought forward when the answer is due earlier
 * (jobs.ts `queueRobotReturn`). With time to spare it lets the document's pending call write-back go
 * first (so the timeline already shows the call when the next robots run) and waits moments for a
 * recording being stored; at the answer-by time it waits for nothing. A stale event token (403
 * ACCESS_DENIED: the workflow timed out or was stopped — Bitrix24 drops a late answer) can never
 * succeed: the run is failed and the job dead at once (gotcha 14).
 */
/**
 * While the document's call write-back is pending, the answer waits for it: the write-back wakes
 * it when it is recorded done (jobs.ts `nudgeRobotReturn`); a look every minute in case that
 * wake-up is missed (this process stopped between the two); two minutes at most for a write-back
 * stuck behind a portal's refusals. (A look every 15 s ran the answer 7 times a run when 1,000
 * write-backs queued for their recordings and the portal: bench/README.md.)
 */
const WRITEBACK_LOOK_MS = 60_000;
const WRITEBACK_WAITS = 2;

/**
 * An answer made due in the very transaction that queued the document's call write-back is queued
 * already waiting for it, as its first run would have (that run only found the write-back pending:
 * six statements and a claim per robot run).
 */
export function awaitingWriteback(now: Date): { at: Date; state: Record<string, unknown> } {
  return { at: new Date(now.getTime() + WRITEBACK_LOOK_MS), state: { awaits: 'writeback', writebackWaits: 1 } };
}
/** Past its answer-by time a failed send is tried again soon: Bitrix24's deadline is near. */
const LATE_RETRY_MS = 5000;

/**
 * What the job counted itself: its row's `attempts` also counts every "not yet" and every wait for
 * the write-back, so backoff and the recording wait go by these instead.
 */
const stateSchema = z.object({
  sends: z.number().int().default(0),
  recordingWaits: z.number().int().default(0),
  writebackWaits: z.number().int().default(0),
  /** Set while waiting for the write-back: what `nudgeRobotReturn` looks for. */
  awaits: z.literal('writeback').optional(),
});

export async function returnToRobot(b24: B24Context, job: OutboxJob, p: JobPayload<'robot.return'>, ctl: HandlerControl): Promise<HandlerResult> {
  const { app } = b24;
  const run = await findRobotRun(app.db, job.tenantId, p.runId);
  if (!run || !stillWaiting(run)) return { kind: 'done' };
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) {
    await setRobotRunFinished(app.db, run.id, 'failed', app.clock.now());
    return { kind: 'dead', error: 'the app is not installed on the portal' };
  }
  const now = app.clock.now();
  const contactId = p.contactId ?? run.contactId;
  const contact = contactId ? await findContact(app.db, contactId) : undefined;
  const attempts = contactId ? await completedAttemptsOfContact(app.db, contactId) : [];
  // The intake's verdict (no phone, unreadable) or the contact's own state decides.
  const state: RunState = p.status === 'no_phone' || p.status === 'failed' ? p.status : contact && contact.status !== 'open' ? contact.status : 'open';
  const callsMade = attempts.filter((a) => a.placed || a.consumed).length;
  if (!answerDue({ mode: run.returnMode, finished: state !== 'open', callsMade, now, answerBy: run.answerBy })) {
    // Brought forward too early (or a run without a deadline whose chain is not done): back to its time.
    return { kind: 'retry', error: 'the answer is not due yet', retryAt: run.answerBy ?? new Date(now.getTime() + 3600_000) };
  }
  const { awaits: _waited, ...counted } = stateSchema.parse(job.state ?? {});
  const spare = run.answerBy ? run.answerBy.getTime() - now.getTime() : Infinity;
  const waitAtMost = (ms: number) => new Date(now.getTime() + Math.min(ms, Math.max(0, spare)));
  if (spare > 0) {
    if (counted.writebackWaits < WRITEBACK_WAITS && (await writebackPending(app.db, job.tenantId, run.document))) {
      await ctl.checkpoint({ ...counted, writebackWaits: counted.writebackWaits + 1, awaits: 'writeback' });
      return { kind: 'retry', error: 'the call write-back goes first', retryAt: waitAtMost(WRITEBACK_LOOK_MS) };
    }
    const deciding = decidingAttempt(state, attempts);
    if (deciding && mayWaitForRecording(deciding, counted.recordingWaits, now)) {
      const left = recordingWaitUntil(deciding, now).getTime() - now.getTime();
      return waitForRecording(app.db, deciding.id, waitAtMost(left), { ...counted, recordingWaits: counted.recordingWaits + 1 });
    }
  }
  const values = returnValues(app, state, attempts, contact?.result ?? null);
  const lng = installed.locale;
  const log = app.log.child({ tenantId: job.tenantId, runId: run.id });
  try {
    await b24.gateway.call(job.tenantId, 'bizproc.event.send', {
      EVENT_TOKEN: b24.sealer.open(run.eventTokenEnc),
      RETURN_VALUES: values,
      LOG_MESSAGE: answerLogLine(lng, values, state === 'open' ? undefined : await unloggedClosingCall(app.db, attempts.at(-1))),
    });
  } catch (e) {
    if (isAccessDenied(e)) {
      await setRobotRunFinished(app.db, run.id, 'failed', app.clock.now());
      log.warn({ deadlineAt: run.deadlineAt }, 'bitrix24: the workflow no longer waits for the robot; its answer was dropped');
      return { kind: 'dead', error: 'stale event token: the workflow no longer waits for this robot (403 ACCESS_DENIED)' };
    }
    if (!isB24Error(e) || e.kind === 'final' || e.kind === 'revoked') throw e;
    // Limits, outages, an expired token: again — by the backoff of the sends made, soon once late.
    const sends = counted.sends + 1;
    await ctl.checkpoint({ ...counted, sends });
    const later = backoff(sends, now).getTime();
    const cap = spare === Infinity ? later : spare > LATE_RETRY_MS ? run.answerBy!.getTime() : now.getTime() + LATE_RETRY_MS;
    return { kind: 'retry', error: e.message, retryAt: new Date(Math.min(later, cap)) };
  }
  await setRobotRunFinished(app.db, run.id, 'returned', app.clock.now(), values.final === 'Y');
  log.info({ final: values.final, outcome: values.outcome, attempts: values.attempts }, 'bitrix24: robot answered its workflow');
  return { kind: 'done' };
}

/**
 * The call that closed the number, unless its write-back already put its line in the workflow log
 * (it ran while the number was still open — a campaign stopped afterwards closes it without a call).
 */
async function unloggedClosingCall(db: Queryable, closing: Attempt | undefined): Promise<Attempt | undefined> {
  if (!closing?.placed) return undefined;
  const r = await db.query<{ logged: string | null }>(`SELECT state->>'logged' AS logged FROM outbox WHERE idempotency_key = $1`, [attemptWritebackKey(closing.id)]);
  return r.rows[0]?.logged === 'true' ? undefined : closing;
}

/**
 * The answer's line in the workflow log. A final answer also names the call that closed the number:
 * that call's write-back left its line to this one (writeAttempt.ts), so the log tells the same in
 * one command fewer.
 */
function answerLogLine(lng: Locale, values: ReturnValues, closing: Attempt | undefined): string {
  const summary = { outcome: outcomeText(lng, values.outcome), attempts: values.attempts };
  if (values.final === 'N') return t(lng, 'bitrix24.log.returned_interim', summary);
  if (!closing?.placed) return t(lng, 'bitrix24.log.returned', summary);
  return t(lng, 'bitrix24.log.returned_after_call', { ...summary, attempt: closing.attemptNo, phone: closing.phone, call: outcomeText(lng, closing.outcome) });
}
