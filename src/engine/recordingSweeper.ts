import type { AppContext } from '../context.js';
import { dropStalePendingRecordings, listPendingRecordings } from '../store/repositories/attempts.js';
import { fetchRecording } from './fetchRecording.js';
import { makePendingMp3s } from './recordingMp3.js';

/**
 * Recordings are fetched right after a call ends; whatever failed then (platform briefly down,
 * our process restarted) is retried by this scheduled job until it is stored; so are the MP3 copies
 * for the CRMs that were not made (src/engine/recordingMp3.ts).
 */
/** A platform that said a recording would follow gets this long to announce it. */
const PENDING_GIVE_UP_MS = 15 * 60_000;

export async function sweepRecordings(app: AppContext, limit = 50): Promise<number> {
  const dropped = await dropStalePendingRecordings(app.db, new Date(app.clock.now().getTime() - PENDING_GIVE_UP_MS));
  if (dropped) app.log.warn({ dropped }, 'recordings announced by the platform never arrived; given up');
  let fetched = 0;
  for (const a of await listPendingRecordings(app.db, limit)) {
    try {
      await fetchRecording(app, a.id);
      fetched++;
    } catch (e) {
      app.log.warn({ tenantId: a.tenantId, campaignId: a.campaignId, attemptId: a.id, err: e }, 'recording download failed; will retry');
    }
  }
  await makePendingMp3s(app, limit);
  return fetched;
}
