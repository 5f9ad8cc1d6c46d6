import type { AppContext } from '../../context.js';
import { signedMediaUrl } from '../../engine/recordingUrls.js';
import { recordingReadySignal } from '../../engine/recordingMp3.js';
import type { HandlerResult } from '../../engine/outbox/outboxWorker.js';
import type { Queryable } from '../../store/db.js';
import { findAttemptById, type Attempt } from '../../store/repositories/attempts.js';

/**
 * The recording link a CRM gets (both CRMs): a signed link to the MP3 copy (amoCRM's feed player
 * plays only audio/mpeg; Bitrix24 takes it too), or to the original when no MP3 can be made of it.
 * Permanent (`ttlMs` null) for what is written into the CRM (its timeline keeps it), expiring
 * after `ttlMs` for what a page shows a user now. Null when the call has no recording.
 */
export function recordingLink(app: Pick<AppContext, 'publicUrl' | 'keys' | 'clock'>, a: Pick<Attempt, 'recordingId' | 'recordingMp3Id'>, ttlMs: number | null = null): string | null {
  const id = a.recordingMp3Id ?? a.recordingId;
  return id ? signedMediaUrl(app, id, ttlMs) : null;
}

/** The file name a CRM shows for the linked recording. */
export const recordingFileName = (a: Pick<Attempt, 'id' | 'recordingMp3Id'>): string => `${a.id}.${a.recordingMp3Id ? 'mp3' : 'wav'}`;

/**
 * The call has a recording whose CRM copy is not ready yet: the platform's file is not stored, or
 * its MP3 is still being made (moments after the call ends). Write-backs wait a little for it.
 */
export const recordingPending = (a: Pick<Attempt, 'recordingSource' | 'recordingId' | 'recordingMp3Id' | 'recordingMp3Error'>): boolean =>
  Boolean(a.recordingSource && !a.recordingId) || Boolean(a.recordingId && !a.recordingMp3Id && !a.recordingMp3Error);

/**
 * How long a CRM write waits for the call's recording before writing without it: until a minute
 * after the call ended. It is woken as soon as the MP3 is made or cannot be (`waitForRecording`: the
 * signal is set in the same transaction that links the MP3, so no process misses it; the sweeper
 * makes what a stopped process left). One wait, not looks at 10, 20 and 30 s: when a backlog of
 * recordings ran a minute late, those looks ran every write-back four times for nothing. One
 * deadline for every job that writes the call (its write-back, the robot's answer), counted from the
 * call's end: a robot's answer does not wait a second minute for a copy its write-back gave up on
 * (bench/README.md).
 */
const RECORDING_WAITS = 1;
const RECORDING_WAIT_MS = 60_000;

/** The moment a write of this call stops waiting for its recording (a call without an end: from now). */
export const recordingWaitUntil = (a: Pick<Attempt, 'endedAt'>, now: Date): Date => new Date((a.endedAt ?? now).getTime() + RECORDING_WAIT_MS);

/** The call's recording is not ready and a write of it may still wait for it (its one wait unused). */
export const mayWaitForRecording = (a: Pick<Attempt, 'endedAt' | 'recordingSource' | 'recordingId' | 'recordingMp3Id' | 'recordingMp3Error'>, waits: number, now: Date): boolean =>
  recordingPending(a) && waits < RECORDING_WAITS && recordingWaitUntil(a, now).getTime() > now.getTime();

/**
 * A write-back's planned wait for the attempt's recording: due at `retryAt` at the latest, woken as
 * soon as the MP3 is made (or cannot be), with the job's progress (`state`) saved with it.
 */
export function waitForRecording(db: Queryable, attemptId: string, retryAt: Date, state: Record<string, unknown>): HandlerResult {
  return {
    kind: 'retry',
    error: 'waiting for the recording to be stored',
    retryAt,
    wait: true,
    waitFor: {
      signal: recordingReadySignal(attemptId),
      ready: async () => {
        const a = await findAttemptById(db, attemptId);
        return !a || !recordingPending(a);
      },
    },
    state,
  };
}

/**
 * A call write-back's wait for its recording (its one wait, until the call's deadline, counted in
 * the job's `state`), or undefined when it writes now: the recording is ready, cannot be, or the
 * deadline passed.
 */
export function writebackRecordingWait(
  db: Queryable,
  attempt: Pick<Attempt, 'id' | 'endedAt' | 'recordingSource' | 'recordingId' | 'recordingMp3Id' | 'recordingMp3Error'>,
  state: Record<string, unknown> & { recordingWaits?: number | undefined },
  now: Date,
): HandlerResult | undefined {
  const waits = state.recordingWaits ?? 0;
  if (!mayWaitForRecording(attempt, waits, now)) return undefined;
  return waitForRecording(db, attempt.id, recordingWaitUntil(attempt, now), { ...state, recordingWaits: waits + 1 });
}
