import { EventEmitter } from 'node:events';
import type { AppContext } from '../context.js';
import { findAttempt, type Attempt } from '../store/repositories/attempts.js';

/**
 * Lets an API client wait for an attempt to finish (long poll). Completion in this process wakes
 * the waiter at once; completion in another process is seen by a slow poll of the database.
 */
const completed = new EventEmitter();
completed.setMaxListeners(0);

export function attemptCompletedNotifier(attempt: Attempt): void {
  completed.emit(attempt.id, attempt);
}

export async function waitForAttempt(app: AppContext, tenantId: string, id: string, timeoutMs: number): Promise<Attempt | undefined> {
  const deadline = Date.now() + timeoutMs;
  let current = await findAttempt(app.db, tenantId, id);
  while (current && current.status !== 'completed' && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        completed.off(id, done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
      completed.on(id, done);
    });
    current = await findAttempt(app.db, tenantId, id);
  }
  return current;
}
