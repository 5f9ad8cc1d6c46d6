import type { AppContext } from '../context.js';
import { withTransaction } from '../store/db.js';
import { newId } from '../store/ids.js';
import { attachRecording, findAttemptById } from '../store/repositories/attempts.js';
import { insertMedia } from '../store/repositories/media.js';
import { inspectWav } from '../voice/audio/index.js';
import { nudgeMp3 } from './recordingMp3.js';

const MAX_RECORDING_BYTES = 200 * 1024 * 1024;

/**
 * Copies an attempt's recording from the platform into our storage. Idempotent: an attempt that
 * already has its recording is left alone; the bytes are written before the row that points at them.
 * Its MP3 copy for the CRMs is made next, in the background (src/engine/recordingMp3.ts).
 */
export async function fetchRecording(ctx: AppContext, attemptId: string): Promise<void> {
  const attempt = await findAttemptById(ctx.db, attemptId);
  if (!attempt?.recordingSource || attempt.recordingId) return;
  const bytes = await ctx.voice.downloadRecording(attempt.recordingSource, { maxBytes: MAX_RECORDING_BYTES });
  const info = inspectWav(bytes);
  if (!info.ok) throw new Error(`recording is not a playable WAV: ${info.reason}`);
  const id = newId();
  const month = (attempt.endedAt ?? ctx.clock.now()).toISOString().slice(0, 7);
  const key = `recordings/${attempt.tenantId}/${month}/${id}.wav`;
  await ctx.storage.put(key, bytes);
  await withTransaction(ctx.db, async (tx) => {
    const fresh = await findAttemptById(tx, attemptId);
    if (fresh?.recordingId) return;
    await insertMedia(tx, {
      id,
      tenantId: attempt.tenantId,
      kind: 'recording',
      name: `${attempt.phone}-${attempt.id}.wav`,
      storageKey: key,
      contentType: 'audio/wav',
      sizeBytes: bytes.length,
      durationMs: info.durationMs,
    });
    await attachRecording(tx, attemptId, id);
  });
  // The MP3 for the CRMs follows off this path (a platform callback may be waiting on us).
  nudgeMp3(ctx);
}
