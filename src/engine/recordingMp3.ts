import type { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { withTransaction, type Queryable } from '../store/db.js';
import { newId } from '../store/ids.js';
import { attachRecordingMp3, listRecordingsWithoutMp3 } from '../store/repositories/attempts.js';
import { signalOutbox } from '../store/repositories/outbox.js';
import { findMediaById, findMediaVariant, insertMediaVariant, type Media } from '../store/repositories/media.js';
import { encodeRecordingMp3 } from '../voice/audio/encodeMp3.js';
import { UndecodableRecording } from '../voice/audio/recordingPcm.js';

/**
 * The MP3 copy of a stored call recording (C6): what the CRM write-backs link (amoCRM's feed plays
 * only `audio/mpeg`, with `Accept-Ranges`); the original stays as it came for the console and for
 * analysis. Made after the original is stored, off the platform's callback path (`nudgeMp3`), and
 * retried by the recording sweeper for whatever was missed (a crash, another process stored it).
 *
 * Idempotent: the copy's storage key is derived from the original's id and the row is unique per
 * (original, variant), so two processes making it at once store the same bytes and keep one row.
 *
 * Decoding and encoding run in the encoder's thread (`encodeRecordingMp3`): WAV and FLAC originals
 * are read there (src/voice/audio/recordingPcm.ts); an original that already is MP3 is its own copy.
 */
export const MP3_VARIANT = 'mp3';

type Deps = Pick<AppContext, 'db' | 'storage' | 'log' | 'clock' | 'wake'>;

/**
 * The outbox signal of an attempt whose recording is ready for the CRMs: its MP3 is made, or none
 * can be made. Write-backs waiting to link the recording are woken by it (`signalOutbox`).
 */
export const recordingReadySignal = (attemptId: string): string => `recording:${attemptId}`;

/** Links the MP3 (or why there is none) from the recording's attempts and wakes their waiting write-backs. */
async function linkMp3(d: Deps, db: Queryable, recordingId: string, p: { mp3Id: string } | { error: string }): Promise<number> {
  const attemptIds = await attachRecordingMp3(db, recordingId, p);
  return signalOutbox(db, attemptIds.map(recordingReadySignal), d.clock.now());
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
  const outcome = await linkOrMakeMp3(d, recordingId);
  // After the commit: the woken jobs are visible to this process's outbox worker now.
  if (outcome.woken > 0) d.wake.outbox();
  return outcome.made;
}

async function linkOrMakeMp3(d: Deps, recordingId: string): Promise<{ made: 'made' | 'existed' | 'undecodable'; woken: number }> {
  const original = await findMediaById(d.db, recordingId);
  if (!original) {
    return { made: 'undecodable', woken: await linkMp3(d, d.db, recordingId, { error: 'the original recording is gone' }) };
  }
  if (original.contentType === 'audio/mpeg') {
    return { made: 'existed', woken: await linkMp3(d, d.db, recordingId, { mp3Id: original.id }) };
  }
  const existing = await findMediaVariant(d.db, original.id, MP3_VARIANT);
  if (existing) {
    return { made: 'existed', woken: await linkMp3(d, d.db, recordingId, { mp3Id: existing.id }) };
  }
  const bytes = await readAll(d.storage.read(original.storageKey));
  let mp3: Buffer;
  let durationMs: number;
  try {
    ({ mp3, durationMs } = await encodeRecordingMp3(bytes, original.contentType));
  } catch (e) {
    if (!(e instanceof UndecodableRecording)) throw e;
    d.log.warn({ recordingId, err: e }, 'recording: no MP3 can be made, CRMs get the original');
    return { made: 'undecodable', woken: await linkMp3(d, d.db, recordingId, { error: e.message }) };
  }
  const key = mp3KeyOf(original);
  await d.storage.put(key, mp3);
  const woken = await withTransaction(d.db, async (tx) => {
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
    return linkMp3(d, tx, recordingId, { mp3Id: media.id });
  });
  return { made: 'made', woken };
}

/**
 * MP3s made at once. Each is a few statements at background priority around one encode in the
 * shared LAME thread; one at a time, the statements' waits behind a busy PGlite added up and the
 * copies fell a minute behind the calls (1,000 robot runs: most write-backs gave up waiting and
 * linked the original, bench/README.md). Several at once overlap those waits.
 */
const MP3_AT_ONCE = 4;

/** Recordings listed at once by a nudge's run. */
const BATCH = 20;

/** Makes the MP3s still missing, oldest first: how many were found, and how many of them were handled. */
export async function makePendingMp3s(d: Deps, limit = BATCH): Promise<{ listed: number; handled: number }> {
  const pending = await listRecordingsWithoutMp3(d.db, limit);
  let handled = 0;
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const a = pending[next++]!;
      try {
        await makeRecordingMp3(d, a.recordingId!);
        handled++;
      } catch (e) {
        d.log.warn({ attemptId: a.id, tenantId: a.tenantId, err: e }, 'recording: MP3 not made yet; will retry');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MP3_AT_ONCE, pending.length) }, worker));
  return { listed: pending.length, handled };
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
      // Until none is left. A batch shorter than the limit was all there was when it was listed; one
      // stored since has nudged again (`again`), so no second list is needed to find it empty.
      let batch: { listed: number; handled: number };
      do batch = await makePendingMp3s(app);
      while (batch.handled > 0 && batch.listed === BATCH);
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
