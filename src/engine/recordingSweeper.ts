import type { AppContext } from '../context.js';
import { listPendingRecordings } from '../store/repositories/attempts.js';
import { fetchRecording } from './fetchRecording.js';
import { makePendingMp3s } from './recordingMp3.js';

/**
 * Recordings are fetched right after a call ends; whatever failed then (platform briefly down,
 * our process restarted) is retried by this scheduled job until it is stored; so are the MP3 copies
 * for the CRMs that were not made (src/engine/recordingMp3.ts).
 */
export async function sweepRecordings(app: AppContext, limit = 50): Promise<number> {
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
