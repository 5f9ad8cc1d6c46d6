import { EventEmitter } from 'node:events';
import type { AppContext } from '../context.js';
import { findAttempt, isRecordingPendingMarker, type Attempt } from '../store/repositories/attempts.js';

/**
 * Lets an API client wait for an attempt to finish (long poll). The completion handler in this
 * process wakes the waiter once the attempt is final for now (its recording fetched, or the fetch
 * left to the sweeper); completion in another process is seen by a slow poll of the database.
 */
const completed = new EventEmitter();
completed.setMaxListeners(0);

export function attemptCompletedNotifier(attempt: Attempt): void {
  completed.emit(attempt.id, attempt);
}

/** Finished, and its recording (if the platform made one) is stored. */
const settled = (a: Attempt) => a.status === 'completed' && !(a.recordingSource && !a.recordingId);

export async function waitForAttempt(app: AppContext, tenantId: string, id: string, timeoutMs: number): Promise<Attempt | undefined> {
  const deadline = Date.now() + timeoutMs;
  let notified = false;
  let current = await findAttempt(app.db, tenantId, id);
  while (current && !settled(current) && !notified && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const onNotify = () => {
        notified = true;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        completed.off(id, onNotify);
        resolve();
      };
      const timer = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
      completed.on(id, onNotify);
    });
    current = await findAttempt(app.db, tenantId, id);
    // Completed, with the platform still to announce its recording: its arrival notifies again.
    if (notified && current && isRecordingPendingMarker(current.recordingSource)) notified = false;
  }
  return current;
}
