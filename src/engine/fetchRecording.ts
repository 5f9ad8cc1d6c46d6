import type { AppContext } from '../context.js';
import { withTransaction } from '../store/db.js';
import { newId } from '../store/ids.js';
import { attachRecording, findAttemptById, isRecordingPendingMarker } from '../store/repositories/attempts.js';
import { insertMedia } from '../store/repositories/media.js';
import { inspectRecording } from '../voice/audio/recordingInfo.js';

const MAX_RECORDING_BYTES = 200 * 1024 * 1024;
const EXTENSION = { 'audio/wav': 'wav', 'audio/mpeg': 'mp3', 'audio/flac': 'flac' } as const;

/**
 * Copies an attempt's recording from the platform that placed the call into our storage, as the
 * platform made it (stereo WAV, FLAC, MP3). Idempotent: an attempt that already has its recording
 * is left alone; the bytes are written before the row that points at them. The platform's copy is
 * deleted afterwards where the platform allows it (our copy is the one CRMs link to).
 */
export async function fetchRecording(ctx: AppContext, attemptId: string): Promise<void> {
  const attempt = await findAttemptById(ctx.db, attemptId);
  if (!attempt?.recordingSource || attempt.recordingId || isRecordingPendingMarker(attempt.recordingSource)) return;
  const platform = ctx.voice.get(attempt.platform);
  if (!platform) throw new Error(`voice platform "${attempt.platform}" is not configured here; its recording waits`);
  const rec = await platform.downloadRecording(attempt.recordingSource, { maxBytes: MAX_RECORDING_BYTES });
  const info = await inspectRecording(rec.bytes, rec.contentType);
  if (!info.ok) throw new Error(`recording is not playable audio (${rec.contentType}): ${info.reason}`);
  const id = newId();
  const ext = EXTENSION[rec.contentType];
  const month = (attempt.endedAt ?? ctx.clock.now()).toISOString().slice(0, 7);
  const key = `recordings/${attempt.tenantId}/${month}/${id}.${ext}`;
  await ctx.storage.put(key, rec.bytes);
  const source = attempt.recordingSource;
  await withTransaction(ctx.db, async (tx) => {
    const fresh = await findAttemptById(tx, attemptId);
    if (fresh?.recordingId) return;
    await insertMedia(tx, {
      id,
      tenantId: attempt.tenantId,
      kind: 'recording',
      name: `${attempt.phone}-${attempt.id}.${ext}`,
      storageKey: key,
      contentType: rec.contentType,
      sizeBytes: rec.bytes.length,
      durationMs: info.durationMs,
      channels: info.channels,
      calleeChannel: info.channels > 1 ? rec.calleeChannel : null,
    });
    await attachRecording(tx, attemptId, id);
  });
  if (platform.deleteRecording) {
    // Our copy is stored: the platform's is only a cost now. A failed delete leaves it to expire there.
    await platform.deleteRecording(source).catch((e: unknown) => ctx.log.warn({ attemptId, err: e }, 'could not delete the platform’s copy of a recording'));
  }
}
