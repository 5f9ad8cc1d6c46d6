import { classifyOutcome, isIneffective } from '../core/outcome.js';
import { notFound } from '../core/errors.js';
import type { AppContext } from '../context.js';
import { withTransaction, type Queryable } from '../store/db.js';
import {
  applyLiveCallEvent,
  findAttemptById,
  recordCallEvent,
  RECORDING_PENDING_PREFIX,
  setRecordingSource,
  type Attempt,
} from '../store/repositories/attempts.js';
import { BACKGROUND, withPriority } from '../store/dbPriority.js';
import type { CallEvent } from '../voice/events.js';
import { cancelledCallsOfContact, hangUpCalls } from './campaigns/hangUpCancelled.js';
import { closeAttempt } from './closeAttempt.js';
import { finishDialogue } from './dialogue/advance.js';
import { templateVersion } from './callVersions.js';
import { fetchRecording } from './fetchRecording.js';

/**
 * Applies one platform event to its attempt. The event is recorded and applied in one transaction,
 * so a repeated callback changes nothing and a crash between the two cannot lose the event.
 * Events apply in order whatever order they arrive in: the status only moves forward (a late
 * "ringing" after "ended" changes nothing) and an attempt completes once.
 * "ended" first closes the dialogue where the callee left it, then classifies the outcome and runs
 * the completion hooks inside the same transaction. The busiest callbacks of a live call
 * (initiated, ringing, answered, AMD, gender) are recorded and applied in one statement.
 */
export async function handleCallEvent(ctx: AppContext, event: CallEvent): Promise<'applied' | 'duplicate'> {
  const log = ctx.log.child({ attemptId: event.attemptId });
  if (event.type !== 'ended' && event.type !== 'recording') {
    const r = await applyLiveCallEvent(ctx.db, {
      attemptId: event.attemptId,
      seq: event.seq,
      type: event.type,
      payload: event,
      // The first sign of life names the platform's call, even if the answer to our request to place
      // it was lost on the way (the adapter then finds the call here instead of placing another).
      providerCallId: event.providerCallId === 'unknown' ? null : event.providerCallId,
      status: event.type === 'ringing' || event.type === 'answered' ? event.type : null,
      amdVerdict: event.type === 'amd' ? event.verdict : null,
      gender: event.type === 'gender' ? event.gender : null,
      at: new Date(event.at),
      // A call that is alive keeps its number's lease (whichever process receives the event).
      leaseUntil: new Date(ctx.clock.now().getTime() + ctx.config.dialLeaseSec * 1000),
    });
    if (r === 'missing') throw notFound('attempt', event.attemptId);
    return r;
  }
  if (event.type === 'ended') {
    // Saved before the outcome is classified, so a result set before the hang-up counts.
    await finishDialogue(ctx, event.attemptId).catch((e: unknown) =>
      // The outcome must still be recorded; the conversation is then whatever was saved before.
      log.error({ err: e }, 'closing the dialogue of an ended call failed'),
    );
  }
  const completed = await withTransaction(ctx.db, async (tx) => {
    const { attempt, fresh } = await recordCallEvent(tx, { attemptId: event.attemptId, seq: event.seq, type: event.type, payload: event });
    if (!attempt) throw notFound('attempt', event.attemptId);
    if (!fresh) return 'duplicate' as const;
    // The first sign of life names the platform's call, even if the answer to our request to place
    // it was lost on the way (the adapter then finds the call here instead of placing another).
    if (!attempt.providerCallId && event.providerCallId !== 'unknown' && attempt.status !== 'completed') {
      await tx.query('UPDATE attempts SET provider_call_id = $2 WHERE id = $1 AND provider_call_id IS NULL', [attempt.id, event.providerCallId]);
    }
    if (event.type === 'recording') {
      return (await setRecordingSource(tx, attempt.id, event.recordingUrl)) && event.recordingUrl ? ('fetch' as const) : undefined;
    }
    return finishAttempt(ctx, tx, attempt, event);
  });
  if (completed === 'duplicate') return 'duplicate';
  if (completed === 'fetch') {
    // The platform's callback is answered now; the download (seconds for a long call) follows.
    inBackground(async () => {
      await announceStored(ctx, event.attemptId, await fetchNow(ctx, event.attemptId));
    }, ctx, log);
  } else if (completed) {
    // A client reached on this number: its other numbers' live calls were marked; hang them up now.
    // Only a human answer reaches a client (src/core/nextAttempt.ts), so other outcomes skip the read.
    if (completed.contactId && completed.outcome === 'human') await hangUpCalls(ctx, await cancelledCallsOfContact(ctx.db, completed.contactId));
    if (completed.recordingSource) {
      // The recording is already announced: the callback is answered now, and waiters and
      // write-backs hear of the attempt once its recording is stored. Downloading, decoding and
      // storing a long call took longer than Twilio's 15 s for a status callback under load.
      inBackground(async () => {
        await announceStored(ctx, completed.id, await fetchNow(ctx, completed.id), completed);
      }, ctx, log);
    } else {
      // The row the completion returned: the completion hooks change other tables, not the attempt.
      announce(ctx, completed);
    }
  }
  return 'applied';
}

/** Waiters and write-backs hear of a completed attempt. */
function announce(ctx: AppContext, attempt: Attempt): void {
  for (const fn of ctx.hooks.afterAttemptCompleted) fn(attempt);
}

/**
 * The same with the attempt as stored now, its recording attached: the row that attached it, else
 * read again (another worker attached it, or the download failed); `fallback` if the row is gone.
 */
async function announceStored(ctx: AppContext, attemptId: string, linked: Attempt | undefined, fallback?: Attempt): Promise<void> {
  const latest = linked ?? (await findAttemptById(ctx.db, attemptId)) ?? fallback;
  if (latest) announce(ctx, latest);
}

/** Per application (tests run several in one process): one stopping does not wait for another's work. */
const backgroundOf = new WeakMap<AppContext, Set<Promise<void>>>();

/** Work that follows an answered callback; errors are logged, shutdown waits for it (settleBackgroundWork). */
function inBackground(fn: () => Promise<void>, ctx: AppContext, log: AppContext['log']): void {
  let running = backgroundOf.get(ctx);
  if (!running) backgroundOf.set(ctx, (running = new Set()));
  const set = running;
  // Nobody waits for it: it must not keep the place of the callback that started it.
  const p: Promise<void> = withPriority(BACKGROUND, fn)
    .catch((e: unknown) => log.error({ err: e }, 'background work after a call event failed'))
    .finally(() => set.delete(p));
  set.add(p);
}

/** Resolves when the work this application started after answered callbacks (recording downloads) has finished. */
export async function settleBackgroundWork(ctx: AppContext): Promise<void> {
  const running = backgroundOf.get(ctx);
  while (running?.size) await Promise.all([...running]);
}

/** Best effort now; the sweeper retries whatever fails (src/engine/recordingSweeper.ts). */
async function fetchNow(ctx: AppContext, attemptId: string): Promise<Attempt | undefined> {
  return fetchRecording(ctx, attemptId).catch((e: unknown) => {
    ctx.log.warn({ attemptId, err: e }, 'recording download failed; will retry');
    return undefined;
  });
}

async function finishAttempt(
  ctx: AppContext,
  tx: Queryable,
  attempt: Attempt,
  event: Extract<CallEvent, { type: 'ended' }>,
): Promise<Attempt | undefined> {
  const settings = await templateVersion(tx, attempt.templateVersionId);
  const amdVerdict = attempt.amdVerdict ?? 'not_checked';
  const outcome = classifyOutcome({
    cause: event.cause,
    amdVerdict,
    talkSec: event.talkSec,
    shortCallSec: settings?.shortCallSec ?? 5,
    hasResult: attempt.result !== null,
  });
  const gender = settings?.genderDetection && outcome !== 'machine' ? (attempt.gender ?? 'unknown') : 'unknown';
  // The platform gives the time from answer; the time from dialling is ours when it gives less.
  const sinceDial = attempt.dialedAt ? Math.max(0, (new Date(event.at).getTime() - attempt.dialedAt.getTime()) / 1000) : 0;
  const recordingSource = event.recordingUrl ?? (event.recordingPending && event.cause === 'answered' ? `${RECORDING_PENDING_PREFIX}${attempt.platform}` : null);
  return closeAttempt(ctx, tx, attempt.id, {
    outcome,
    amdVerdict,
    gender,
    sipCode: event.sipCode,
    error: event.error,
    ineffective: isIneffective(outcome, event.talkSec, settings?.ineffectiveSec ?? 0),
    endedAt: new Date(event.at),
    durationSec: Math.max(event.durationSec, event.talkSec, event.durationSec > 0 ? 0 : Math.round(sinceDial * 100) / 100),
    talkSec: event.talkSec,
    recordingSource,
    answeredAt: event.answeredAt ? new Date(event.answeredAt) : null,
    cost: event.cost ?? null,
    costCurrency: event.cost !== undefined && event.cost !== null ? (event.costCurrency ?? null) : null,
  });
}
