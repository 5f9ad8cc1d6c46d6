import { DomainError, notFound } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import { withTransaction } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { deleteMedia, insertMedia, type Media } from '../../store/repositories/media.js';
import { inspectWav } from '../../voice/audio/index.js';
import { assertUnreferenced } from './references.js';

/** Longest greeting we accept: it only fills the silence while detection runs. */
export const MAX_GREETING_MS = 60_000;

/**
 * AMD greetings (T4): an uploaded .wav is checked to really be audio (a renamed MP3 or text file,
 * a truncated WAV, an empty one are refused with the reason) before a byte is stored.
 */
export async function uploadGreeting(ctx: AppContext, tenantId: string, file: { filename: string; data: Buffer }, name?: string): Promise<Media> {
  const info = inspectWav(file.data, { maxDurationMs: MAX_GREETING_MS });
  if (!info.ok) throw new DomainError('bad_request', `audio.${info.reason}`, { file: file.filename, maxSec: MAX_GREETING_MS / 1000 });
  const id = newId();
  const key = `greetings/${tenantId}/${id}.wav`;
  await ctx.storage.put(key, file.data);
  return insertMedia(ctx.db, {
    id,
    tenantId,
    kind: 'greeting',
    name: (name ?? file.filename).slice(0, 200),
    storageKey: key,
    contentType: 'audio/wav',
    sizeBytes: file.data.length,
    durationMs: info.durationMs,
  });
}

export async function removeGreeting(ctx: AppContext, tenantId: string, id: string): Promise<void> {
  const removed = await withTransaction(ctx.db, async (tx) => {
    await assertUnreferenced(tx, tenantId, 'greeting', id);
    return deleteMedia(tx, tenantId, id);
  });
  if (!removed || removed.kind !== 'greeting') throw notFound('greeting', id);
  await ctx.storage.remove(removed.storageKey);
}
