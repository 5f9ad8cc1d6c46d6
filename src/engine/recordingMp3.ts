import type { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { withTransaction } from '../store/db.js';
import { newId } from '../store/ids.js';
import { attachRecordingMp3, listRecordingsWithoutMp3 } from '../store/repositories/attempts.js';
import { findMediaById, findMediaVariant, insertMediaVariant, type Media } from '../store/repositories/media.js';
import { decodeWav, WavDecodeError, type Pcm } from '../voice/audio/index.js';
import { encodeMp3 } from '../voice/audio/encodeMp3.js';

/**
 * The MP3 copy of a stored call recording (C6): what the CRM write-backs link (amoCRM's feed plays
 * only `audio/mpeg`, with `Accept-Ranges`); the original stays as it came for the console and for
 * analysis. Made after the original is stored, off the platform's callback path (`nudgeMp3`), and
 * retried by the recording sweeper for whatever was missed (a crash, another process stored it).
 *
 * Idempotent: the copy's storage key is derived from the original's id and the row is unique per
 * (original, variant), so two processes making it at once store the same bytes and keep one row.
 *
 * Decoding: `pcmOf` is where originals become PCM. Today that is WAV (every codec `decodeWav`
 * reads); an original that already is MP3 is its own copy; a FLAC decoder plugs in there.
 */
export const MP3_VARIANT = 'mp3';

type Deps = Pick<AppContext, 'db' | 'storage' | 'log'>;

export class UndecodableRecording extends Error {
  constructor(readonly reason: string) {
    super(`no decoder for this recording: ${reason}`);
    this.name = 'UndecodableRecording';
  }
}

/** PCM of an original recording; UndecodableRecording when no decoder reads it (a permanent state). */
export function pcmOf(bytes: Buffer, contentType: string): Pcm {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'audio/wav' || type === 'audio/x-wav' || type === 'audio/wave') {
    try {
      return decodeWav(bytes);
    } catch (e) {
      if (e instanceof WavDecodeError) throw new UndecodableRecording(e.reason);
      throw e;
    }
  }
  throw new UndecodableRecording(`unsupported type ${type}`);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const mp3KeyOf = (original: Media) => `${original.storageKey.replace(/\.[A-Za-z0-9]+$/, '')}.mp3`;

/**
 * Makes (or finds) the MP3 of the recording `recordingId` and links it from its attempts.
 * Throws only for what may pass (storage unreadable for a moment); a recording no decoder reads is
 * recorded as such and linked as it is.
 */
export async function makeRecordingMp3(d: Deps, recordingId: string): Promise<'made' | 'existed' | 'undecodable'> {
  const original = await findMediaById(d.db, recordingId);
  if (!original) {
    await attachRecordingMp3(d.db, recordingId, { error: 'the original recording is gone' });
    return 'undecodable';
  }
  if (original.contentType === 'audio/mpeg') {
    await attachRecordingMp3(d.db, recordingId, { mp3Id: original.id });
    return 'existed';
  }
  const existing = await findMediaVariant(d.db, original.id, MP3_VARIANT);
  if (existing) {
    await attachRecordingMp3(d.db, recordingId, { mp3Id: existing.id });
    return 'existed';
  }
  const bytes = await readAll(d.storage.read(original.storageKey));
  let mp3: Buffer;
  let durationMs: number;
  try {
    const pcm = pcmOf(bytes, original.contentType);
    durationMs = Math.round((pcm.samples.length * 1000) / pcm.sampleRate);
    mp3 = await encodeMp3(pcm);
  } catch (e) {
    if (!(e instanceof UndecodableRecording)) throw e;
    d.log.warn({ recordingId, err: e }, 'recording: no MP3 can be made, CRMs get the original');
    await attachRecordingMp3(d.db, recordingId, { error: e.message });
    return 'undecodable';
  }
  const key = mp3KeyOf(original);
  await d.storage.put(key, mp3);
  await withTransaction(d.db, async (tx) => {
    const { media } = await insertMediaVariant(tx, {
      id: newId(),
      tenantId: original.tenantId,
      kind: 'recording',
      name: original.name.replace(/\.[A-Za-z0-9]+$/, '') + '.mp3',
      storageKey: key,
      contentType: 'audio/mpeg',
      sizeBytes: mp3.length,
      durationMs,
      derivedFrom: original.id,
      variant: MP3_VARIANT,
    });
    await attachRecordingMp3(tx, recordingId, { mp3Id: media.id });
  });
  return 'made';
}

/** Makes the MP3s still missing, oldest first; returns how many were handled. */
export async function makePendingMp3s(d: Deps, limit = 20): Promise<number> {
  let handled = 0;
  for (const a of await listRecordingsWithoutMp3(d.db, limit)) {
    try {
      await makeRecordingMp3(d, a.recordingId!);
      handled++;
    } catch (e) {
      d.log.warn({ attemptId: a.id, tenantId: a.tenantId, err: e }, 'recording: MP3 not made yet; will retry');
    }
  }
  return handled;
}

interface Runner {
  running: Promise<void> | undefined;
  again: boolean;
}
const runners = new WeakMap<object, Runner>();

/**
 * Makes pending MP3s soon, in this process, one run at a time (a new recording during a run makes
 * the run go round once more). Nothing is lost if this process stops midway: the sweeper retries.
 */
export function nudgeMp3(app: Deps & Pick<AppContext, 'config'>): void {
  if (!app.config.workers) return;
  let r = runners.get(app);
  if (!r) {
    r = { running: undefined, again: false };
    runners.set(app, r);
  }
  const runner = r;
  if (runner.running) {
    runner.again = true;
    return;
  }
  runner.running = (async () => {
    do {
      runner.again = false;
      while ((await makePendingMp3s(app)) > 0) {
        /* until none is left */
      }
    } while (runner.again);
  })()
    .catch((e: unknown) => app.log.warn({ err: e }, 'recording: MP3 run failed; the sweeper retries'))
    .finally(() => {
      runner.running = undefined;
    });
}

/** Resolves when this process makes no MP3 (shutdown, tests). */
export async function mp3Idle(app: object): Promise<void> {
  await runners.get(app)?.running;
}
