import type { AppContext } from '../context.js';
import { listPendingRecordings } from '../store/repositories/attempts.js';
import { fetchRecording } from './fetchRecording.js';

/**
 * Recordings are fetched right after a call ends; whatever failed then (platform briefly down,
 * our process restarted) is retried here every minute until it is stored.
 */
export function startRecordingSweeper(app: AppContext, everyMs = 60_000): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const a of await listPendingRecordings(app.db, 50)) {
        await fetchRecording(app, a.id).catch((e: unknown) =>
          app.log.warn({ attemptId: a.id, err: (e as Error).message }, 'recording download failed; will retry'),
        );
      }
    } catch (e) {
      app.log.error({ err: (e as Error).message }, 'recording sweeper failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
