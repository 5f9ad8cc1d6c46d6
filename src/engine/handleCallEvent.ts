import { classifyOutcome, isIneffective } from '../core/outcome.js';
import { notFound } from '../core/errors.js';
import type { TemplateSettings } from '../core/template.js';
import type { AppContext } from '../context.js';
import { withTransaction, type Queryable } from '../store/db.js';
import { applyLiveCallEvent, findAttemptById, recordCallEvent, type Attempt } from '../store/repositories/attempts.js';
import { findVersionById, TEMPLATES } from '../store/repositories/versioned.js';
import type { CallEvent } from '../voice/events.js';
import { closeAttempt } from './closeAttempt.js';
import { fetchRecording } from './fetchRecording.js';

/**
 * Applies one platform event to its attempt. The event is recorded and applied in one transaction,
 * so a repeated callback changes nothing and a crash between the two cannot lose the event.
 * "ended" classifies the outcome and runs the completion hooks inside the same transaction.
 */
export async function handleCallEvent(ctx: AppContext, event: CallEvent): Promise<'applied' | 'duplicate'> {
  if (event.type !== 'ended') {
    // The busiest callbacks of a live call: one statement records and applies them.
    const r = await applyLiveCallEvent(ctx.db, {
      attemptId: event.attemptId,
      seq: event.seq,
      type: event.type,
      payload: event,
      providerCallId: event.providerCallId,
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
  const completed = await withTransaction(ctx.db, async (tx) => {
    const attempt = await findAttemptById(tx, event.attemptId);
    if (!attempt) throw notFound('attempt', event.attemptId);
    const fresh = await recordCallEvent(tx, { attemptId: event.attemptId, seq: event.seq, type: event.type, payload: event });
    if (!fresh) return 'duplicate' as const;
    // The dispatcher stores the call id after placing the call; if the database blinked just then,
    // the platform's first event brings it.
    if (attempt.providerCallId === null) {
      await tx.query('UPDATE attempts SET provider_call_id = $2 WHERE id = $1 AND provider_call_id IS NULL', [attempt.id, event.providerCallId]);
    }
    return finishAttempt(ctx, tx, attempt, event);
  });
  if (completed === 'duplicate') return 'duplicate';
  if (completed) {
    if (completed.recordingSource) {
      // Best effort now; the sweeper retries whatever fails (src/engine/recordingSweeper.ts).
      await fetchRecording(ctx, completed.id).catch((e: unknown) =>
        ctx.log.warn({ attemptId: completed.id, tenantId: completed.tenantId, campaignId: completed.campaignId, err: e }, 'recording download failed; will retry'),
      );
    }
    // Waiters see the attempt with its recording whenever it could be fetched at once.
    const latest = (await findAttemptById(ctx.db, completed.id)) ?? completed;
    for (const fn of ctx.hooks.afterAttemptCompleted) fn(latest);
  }
  return 'applied';
}

async function finishAttempt(
  ctx: AppContext,
  tx: Queryable,
  attempt: Attempt,
  event: Extract<CallEvent, { type: 'ended' }>,
): Promise<Attempt | undefined> {
  const template = await findVersionById<TemplateSettings>(tx, TEMPLATES, attempt.templateVersionId);
  const settings = template?.body;
  const amdVerdict = attempt.amdVerdict ?? 'not_checked';
  const outcome = classifyOutcome({
    cause: event.cause,
    amdVerdict,
    talkSec: event.talkSec,
    shortCallSec: settings?.shortCallSec ?? 5,
    hasResult: attempt.result !== null,
  });
  const gender = settings?.genderDetection && outcome !== 'machine' ? (attempt.gender ?? 'unknown') : 'unknown';
  return closeAttempt(ctx, tx, attempt.id, {
    outcome,
    amdVerdict,
    gender,
    sipCode: event.sipCode,
    error: event.error,
    ineffective: isIneffective(outcome, event.talkSec, settings?.ineffectiveSec ?? 0),
    endedAt: new Date(event.at),
    durationSec: event.durationSec,
    talkSec: event.talkSec,
    recordingSource: event.recordingUrl,
    answeredAt: event.answeredAt ? new Date(event.answeredAt) : null,
  });
}
