import type { AppContext } from '../../../context.js';
import { signedMediaUrl } from '../../../engine/recordingUrls.js';
import type { Attempt } from '../../../store/repositories/attempts.js';

/**
 * A signed link to an attempt's recording, or null: permanent for what is written into the CRM
 * (the timeline keeps it), expiring after `ttlMs` for what a page shows a user now.
 */
export function recordingLink(app: AppContext, a: Pick<Attempt, 'recordingId'>, ttlMs: number | null = null): string | null {
  return a.recordingId ? signedMediaUrl(app, a.recordingId, ttlMs) : null;
}

/** The platform has the recording but we have not stored our copy yet (it follows the completion by moments). */
export const recordingPending = (a: Pick<Attempt, 'recordingSource' | 'recordingId'>): boolean => Boolean(a.recordingSource && !a.recordingId);

/** How long a write-back waits for the recording before writing without it: 1 s, 2 s, … about a minute in all. */
export const RECORDING_WAITS = 10;
export const recordingWaitMs = (n: number): number => Math.min(10_000, 1000 * (n + 1));
