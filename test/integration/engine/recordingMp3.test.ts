import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLink, recordingPending } from '../../../src/crm/shared/recordingLink.js';
import { makeRecordingMp3, mp3Idle, recordingReadySignal } from '../../../src/engine/recordingMp3.js';
import { sweepRecordings } from '../../../src/engine/recordingSweeper.js';
import { fetchRecording } from '../../../src/engine/fetchRecording.js';
import { findAttemptById, type Attempt } from '../../../src/store/repositories/attempts.js';
import { findMediaById } from '../../../src/store/repositories/media.js';
import { walkMp3 } from '../../support/mp3.js';
import { encodeFlac } from '../../fakes/voiceShared/flacEncoder.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * The MP3 copy of a call recording: made after the original is stored, linked for the CRMs, served
 * as audio/mpeg with byte ranges; the original is kept; idempotent; retried by the sweeper; an
 * original no decoder reads is linked as it is.
 */
let t: TestApp;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = (await t.api<{ templates: { id: string }[] }>('GET', '/templates')).body.templates[0]!.id;
});
afterAll(async () => t?.stop());

async function recordedCall(): Promise<Attempt> {
  const placed = await t.api<{ id: string }>('POST', '/test-calls', { templateId, phone: '+79000000004', variables: { name: 'Anna' } });
  expect(placed.status).toBe(202);
  const done = await t.api<{ status: string }>('GET', `/attempts/${placed.body.id}?wait=60`);
  expect(done.body.status).toBe('completed');
  const app = t.dozvon.app;
  for (let i = 0; i < 200; i++) {
    const a = await findAttemptById(app.db, placed.body.id);
    if (a && !recordingPending(a)) return a;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the MP3 was never made');
}

describe('the MP3 copy of a recording', () => {
  it('is made after the call, linked for the CRMs, and served as audio/mpeg with ranges; the WAV stays', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    expect(a.recordingId).toBeTruthy();
    expect(a.recordingMp3Id).toBeTruthy();
    expect(a.recordingMp3Id).not.toBe(a.recordingId);
    const original = await findMediaById(app.db, a.recordingId!);
    const mp3 = await findMediaById(app.db, a.recordingMp3Id!);
    expect(original).toMatchObject({ contentType: 'audio/wav', derivedFrom: null });
    expect(mp3).toMatchObject({ contentType: 'audio/mpeg', derivedFrom: a.recordingId, variant: 'mp3', tenantId: a.tenantId });
    expect(Math.abs(mp3!.durationMs - original!.durationMs)).toBeLessThan(5);

    const link = recordingLink(app, a)!;
    expect(link).toContain(`/recordings/${a.recordingMp3Id}?exp=0&sig=`);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await res.arrayBuffer());
    const walk = walkMp3(bytes);
    expect(walk.garbage).toBe(0);
    expect(Math.abs(walk.durationMs - original!.durationMs)).toBeLessThan(200);
    const part = await fetch(link, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${bytes.length}`);

    // The console keeps the original.
    const dto = await t.api<{ recordingUrl: string }>('GET', `/attempts/${a.id}`);
    const wav = await fetch(dto.body.recordingUrl);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
  });

  it('is made once: doing it again, or after the row was lost, keeps one copy', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    expect(await makeRecordingMp3(app, a.recordingId!)).toBe('existed');
    // The attempt lost its link (a crash between the two writes): the sweeper restores it, no second copy.
    await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
    await sweepRecordings(app);
    const again = await findAttemptById(app.db, a.id);
    expect(again!.recordingMp3Id).toBe(a.recordingMp3Id);
    const copies = await app.db.query('SELECT id FROM media WHERE derived_from = $1', [a.recordingId]);
    expect(copies.rows).toHaveLength(1);
  });

  it('is made by the sweeper when it was never made (another process stored the original and stopped)', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
    await app.db.query('DELETE FROM media WHERE id = $1', [a.recordingMp3Id]);
    expect(recordingPending((await findAttemptById(app.db, a.id))!)).toBe(true);
    await sweepRecordings(app);
    const again = await findAttemptById(app.db, a.id);
    expect(again!.recordingMp3Id).toBeTruthy();
    expect(again!.recordingMp3Id).not.toBe(a.recordingMp3Id);
    expect((await findMediaById(app.db, again!.recordingMp3Id!))?.contentType).toBe('audio/mpeg');
  });

  it('a backlog is made in one sweep, several at once, and a broken original among them holds back none', async () => {
    const app = t.dozvon.app;
    const calls = [await recordedCall(), await recordedCall(), await recordedCall(), await recordedCall(), await recordedCall()];
    for (const a of calls) {
      await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
      await app.db.query('DELETE FROM media WHERE id = $1', [a.recordingMp3Id]);
    }
    const broken = calls[1]!;
    await app.storage.put((await findMediaById(app.db, broken.recordingId!))!.storageKey, Buffer.from('not audio'));
    await sweepRecordings(app);
    const after = await Promise.all(calls.map(async (a) => (await findAttemptById(app.db, a.id))!));
    expect(after.map((a) => recordingPending(a))).toEqual([false, false, false, false, false]);
    expect(after.filter((a) => a.recordingMp3Id).length).toBe(4);
    expect(after[1]!.recordingMp3Error).toMatch(/no decoder/);
    for (const a of after.filter((x) => x.recordingMp3Id)) expect((await findMediaById(app.db, a.recordingMp3Id!))?.contentType).toBe('audio/mpeg');
  });

  it('an original no decoder reads is linked as it is, and not tried again', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    const original = (await findMediaById(app.db, a.recordingId!))!;
    await app.storage.put(original.storageKey, Buffer.from('this is not audio at all'));
    await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
    await app.db.query('DELETE FROM media WHERE id = $1', [a.recordingMp3Id]);
    expect(await makeRecordingMp3(app, a.recordingId!)).toBe('undecodable');
    const again = (await findAttemptById(app.db, a.id))!;
    expect(again.recordingMp3Error).toMatch(/no decoder/);
    expect(recordingPending(again)).toBe(false);
    expect(recordingLink(app, again)).toContain(`/recordings/${a.recordingId}?`);
    await sweepRecordings(app);
    await mp3Idle(app);
    expect((await findAttemptById(app.db, a.id))!.recordingMp3Id).toBeNull();
  });
  it('wakes the CRM write-backs waiting to link it, in every process (the database) and at once in this one', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
    // A write-back that waits for this recording (leased elsewhere, so only the signal moves it)
    // and one that waits for another call's.
    const waiting = async (key: string, signal: string) =>
      app.db.query(
        `INSERT INTO outbox (id, tenant_id, channel, kind, idempotency_key, payload, next_attempt_at, locked_by, locked_until, waits_for)
         VALUES (gen_random_uuid(), $1, 'bitrix24', 'attempt.writeback', $2, '{}', $3, 'elsewhere', $3, $4)`,
        [a.tenantId, key, new Date(app.clock.now().getTime() + 3600_000), signal],
      );
    await waiting(`test:mine:${a.id}`, recordingReadySignal(a.id));
    await waiting(`test:other:${a.id}`, recordingReadySignal('another-attempt'));
    let wakes = 0;
    expect(await makeRecordingMp3({ ...app, wake: { ...app.wake, outbox: () => wakes++ } }, a.recordingId!)).toBe('existed');
    const rows = await app.db.query<{ idempotency_key: string; next_attempt_at: Date; waits_for: string | null }>(
      `SELECT idempotency_key, next_attempt_at, waits_for FROM outbox WHERE idempotency_key LIKE 'test:%' AND idempotency_key LIKE $1`,
      [`%${a.id}`],
    );
    const mine = rows.rows.find((r) => r.idempotency_key.startsWith('test:mine'))!;
    const other = rows.rows.find((r) => r.idempotency_key.startsWith('test:other'))!;
    expect(mine.waits_for).toBeNull();
    expect(mine.next_attempt_at.getTime()).toBeLessThanOrEqual(app.clock.now().getTime());
    expect(other.waits_for).toBe(recordingReadySignal('another-attempt'));
    expect(other.next_attempt_at.getTime()).toBeGreaterThan(app.clock.now().getTime() + 3000_000);
    expect(wakes).toBe(1);
    await app.db.query(`DELETE FROM outbox WHERE idempotency_key LIKE 'test:%'`);
  });

  it('is made from a stereo FLAC original (Voximplant), both parties in it', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    const original = (await findMediaById(app.db, a.recordingId!))!;
    const rate = 16000;
    const tone = (hz: number) => Int16Array.from({ length: rate * 2 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));
    await app.storage.put(original.storageKey, encodeFlac([tone(220), new Int16Array(rate * 2)], rate));
    await app.db.query(`UPDATE media SET content_type = 'audio/flac', duration_ms = 2000 WHERE id = $1`, [original.id]);
    await app.db.query('UPDATE attempts SET recording_mp3_id = NULL WHERE id = $1', [a.id]);
    await app.db.query('DELETE FROM media WHERE id = $1', [a.recordingMp3Id]);
    expect(await makeRecordingMp3(app, a.recordingId!)).toBe('made');
    const again = (await findAttemptById(app.db, a.id))!;
    const mp3 = (await findMediaById(app.db, again.recordingMp3Id!))!;
    expect(mp3).toMatchObject({ contentType: 'audio/mpeg', derivedFrom: original.id });
    const chunks: Buffer[] = [];
    for await (const c of app.storage.read(mp3.storageKey)) chunks.push(Buffer.from(c as Uint8Array));
    const walk = walkMp3(Buffer.concat(chunks));
    expect(walk.garbage).toBe(0);
    expect(Math.abs(walk.durationMs - 2000)).toBeLessThan(200);
  });
});

describe('storing a recording', () => {
  it('links it once when two workers fetch it at once: one media row, the other copy rolled back', async () => {
    const a = await recordedCall();
    const app = t.dozvon.app;
    const ended = await app.db.query<{ url: string }>(
      `SELECT payload->>'recordingUrl' AS url FROM call_events WHERE attempt_id = $1 AND payload->>'recordingUrl' IS NOT NULL`,
      [a.id],
    );
    const source = ended.rows[0]!.url;
    // The recording waits at the platform again, as if its link had never been written.
    await app.db.query('UPDATE attempts SET recording_id = NULL, recording_mp3_id = NULL, recording_source = $2 WHERE id = $1', [a.id, source]);
    const originals = async () =>
      Number((await app.db.query<{ n: string }>('SELECT count(*) AS n FROM media WHERE tenant_id = $1 AND derived_from IS NULL', [a.tenantId])).rows[0]!.n);
    const before = await originals();

    const both = await Promise.all([fetchRecording(app, a.id), fetchRecording(app, a.id)]);

    const linked = both.filter((x) => x !== undefined);
    expect(linked).toHaveLength(1);
    expect(await originals()).toBe(before + 1);
    const stored = await findAttemptById(app.db, a.id);
    expect(stored).toMatchObject({ recordingId: linked[0]!.recordingId, recordingSource: null });
    expect(linked[0]!.recordingId).not.toBe(a.recordingId);
  });
});
