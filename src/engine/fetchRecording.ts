import type { AppContext } from '../context.js';
import { withTransaction } from '../store/db.js';
import { newId } from '../store/ids.js';
import { attachRecording, findAttemptById, isRecordingPendingMarker } from '../store/repositories/attempts.js';
import { insertMedia } from '../store/repositories/media.js';
import { inspectRecording } from '../voice/audio/recordingInfo.js';
import { decodeRecording } from '../voice/audio/decodeRecording.js';
import { capabilitiesOf } from '../voice/capabilities.js';
import { estimateGender } from '../voice/gender/estimateGender.js';
import type { DownloadedRecording } from '../voice/port.js';
import { templateVersion } from './callVersions.js';
import type { Attempt } from '../store/repositories/attempts.js';
import { nudgeMp3 } from './recordingMp3.js';

const MAX_RECORDING_BYTES = 200 * 1024 * 1024;
const EXTENSION = { 'audio/wav': 'wav', 'audio/mpeg': 'mp3', 'audio/flac': 'flac' } as const;

/**
 * Copies an attempt's recording from the platform that placed the call into our storage, as the
 * platform made it (stereo WAV, FLAC, MP3). Idempotent: an attempt that already has its recording
 * is left alone; the bytes are written before the row that points at them. The platform's copy is
 * deleted afterwards where the platform allows it (our copy is the one CRMs link to). Its MP3 copy
 * for the CRMs is made next, in the background (src/engine/recordingMp3.ts). Returns the attempt
 * with its recording linked, when this call linked it.
 */
export async function fetchRecording(ctx: AppContext, attemptId: string): Promise<Attempt | undefined> {
  const attempt = await findAttemptById(ctx.db, attemptId);
  if (!attempt?.recordingSource || attempt.recordingId || isRecordingPendingMarker(attempt.recordingSource)) return undefined;
  const platform = ctx.voice.get(attempt.platform);
  if (!platform) throw new Error(`voice platform "${attempt.platform}" is not configured here; its recording waits`);
  const rec = await platform.downloadRecording(attempt.recordingSource, { maxBytes: MAX_RECORDING_BYTES });
  const info = await inspectRecording(rec.bytes, rec.contentType);
  if (!info.ok) throw new Error(`recording is not playable audio (${rec.contentType}): ${info.reason}`);
  const gender = await genderFromRecording(ctx, attempt, rec);
  const id = newId();
  const ext = EXTENSION[rec.contentType];
  const month = (attempt.endedAt ?? ctx.clock.now()).toISOString().slice(0, 7);
  const key = `recordings/${attempt.tenantId}/${month}/${id}.${ext}`;
  await ctx.storage.put(key, rec.bytes);
  const source = attempt.recordingSource;
  const stored = await withTransaction(ctx.db, async (tx) => {
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
    // With the recording, so every write-back that waited for the recording sees the gender too.
    const linked = await attachRecording(tx, attemptId, id, gender);
    // Another worker linked its copy first: ours is not recorded anywhere (the media row rolls back).
    if (!linked) throw new AlreadyLinked();
    return linked;
  }).catch((e: unknown) => {
    if (e instanceof AlreadyLinked) return undefined;
    throw e;
  });
  if (!stored) return undefined;
  // The MP3 for the CRMs follows off this path (a platform callback may be waiting on us).
  nudgeMp3(ctx);
  if (platform.deleteRecording) {
    // Our copy is stored: the platform's is only a cost now. A failed delete leaves it to expire there.
    await platform.deleteRecording(source).catch((e: unknown) => ctx.log.warn({ attemptId, err: e }, 'could not delete the platform’s copy of a recording'));
  }
  return stored;
}

class AlreadyLinked extends Error {}

/**
 * T11 where the platform reports no gender: estimated from the callee's own channel of the
 * recording (src/voice/gender). Only for a person who talked (not a machine), only when the template
 * asks for it; `undefined` leaves the attempt's gender as it is.
 */
async function genderFromRecording(ctx: AppContext, a: Attempt, rec: DownloadedRecording): Promise<'female' | 'male' | undefined> {
  if (capabilitiesOf(a.platform)?.genderReported !== false) return undefined;
  if (a.outcome !== 'human' && a.outcome !== 'short') return undefined;
  if (a.gender === 'female' || a.gender === 'male') return undefined;
  if (!(await templateVersion(ctx.db, a.templateVersionId))?.genderDetection) return undefined;
  try {
    const audio = await decodeRecording(rec.bytes, rec.contentType);
    const channel = audio.channels.length > 1 && rec.calleeChannel !== null ? audio.channels[rec.calleeChannel] : audio.channels[0];
    if (!channel) return undefined;
    const g = estimateGender(channel, audio.sampleRate);
    ctx.log.debug({ attemptId: a.id, medianHz: g.medianHz, voicedSec: g.voicedSec, gender: g.gender }, 'gender estimated from the recording');
    return g.gender === 'unknown' ? undefined : g.gender;
  } catch (e) {
    // The recording is still worth storing; the gender simply stays unknown.
    ctx.log.warn({ err: e, attemptId: a.id }, 'gender estimation failed');
    return undefined;
  }
}
