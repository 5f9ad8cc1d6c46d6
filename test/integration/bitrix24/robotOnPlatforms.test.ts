import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecording } from '../../../src/voice/audio/decodeRecording.js';
import { VoximplantApi } from '../../../src/voice/voximplant/managementApi.js';
import { setupVoximplant } from '../../../src/voice/voximplant/setup.js';
import type { Portal, TimelineEntry } from '../../fakes/bitrix24/index.js';
import { startTwilioEmulator } from '../../fakes/twilio/index.js';
import { startVoximplantEmulator } from '../../fakes/voximplant/index.js';
import { settleOutbox, startHarness, type B24Harness } from './support.js';
import { walkMp3 } from '../../support/mp3.js';

/**
 * The Bitrix24 spine — a robot calls the deal's contact, the workflow gets the results, the deal's
 * timeline shows the call with its recording — with real voice platforms behind the port: the
 * Voximplant and Twilio emulators instead of the sandbox.
 */
const calls = (entries: TimelineEntry[]) => entries.filter((e): e is Extract<TimelineEntry, { kind: 'activity' }> => e.kind === 'activity' && e.activity.providerId === 'VOXIMPLANT_CALL');

describe.each(['voximplant', 'twilio'] as const)('robot → call on %s → write-back', (platform) => {
  let h: B24Harness;
  let portal: Portal;
  let tenantId: string;
  let stopEmulator: () => Promise<void>;

  beforeAll(async () => {
    const emu = platform === 'voximplant' ? await startVoximplantEmulator({ timeScale: 0.01 }) : await startTwilioEmulator({ profile: 'twilio', timeScale: 0.01 });
    stopEmulator = () => emu.stop();
    h = await startHarness({ ...emu.env, VOICE_PLATFORM: platform });
    if (platform === 'voximplant') {
      const c = h.app.config.voice.voximplant!;
      await setupVoximplant(new VoximplantApi(c, h.app.outbound), c, h.t.url);
    }
    portal = await h.newPortal();
    tenantId = await h.install(portal);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await stopEmulator?.();
  });

  it('a woman who agrees and a busy line: return values, the call with its recording, the comment', async () => {
    const code = portal.robots()[0]!.code;
    const runs = [];
    for (const digit of ['4', '1']) {
      const contact = portal.addContact({ name: 'Anna', lastName: `Case${digit}`, phones: [`+7 900 000-00-0${digit}`] });
      const deal = portal.addDeal({ title: `Deal ${digit}`, contactIds: [contact], opportunity: 1500, assignedById: 1 });
      const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } });
      expect(wf.delivery?.status).toBe(200);
      runs.push({ digit, deal, wf });
    }
    await Promise.all(runs.map((r) => r.wf.settled(60_000)));
    await settleOutbox(h.app, tenantId);

    const [agree, busy] = runs;
    expect(agree!.wf.status).toBe('completed');
    expect(agree!.wf.returnValues).toMatchObject({ outcome: 'human', result: 'interested', gender: 'female' });
    const rv = Object.fromEntries(Object.entries(agree!.wf.returnValues ?? {}).map(([k, v]) => [k, String(v)]));
    expect(rv.recording_url).toMatch(/\/recordings\/[0-9a-f-]+\?exp=0&sig=/);
    const [call] = calls(portal.timeline('deal', agree!.deal));
    const ext = portal.externalCall(call!.activity.callId!)!;
    expect(ext).toMatchObject({ finished: true, statusCode: '200' });
    // The portal gets the MP3 copy (what a CRM player plays, both parties mixed); Dozvon keeps the
    // original as the platform made it (stereo) for the console and analysis.
    const res = await fetch(rv.recording_url!);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(walkMp3(Buffer.from(await res.arrayBuffer())).garbage).toBe(0);
    const original = await h.app.db.query<{ id: string; storage_key: string; content_type: 'audio/wav' | 'audio/flac' }>(
      `SELECT m.id, m.storage_key, m.content_type FROM media m JOIN attempts a ON a.recording_id = m.id WHERE a.tenant_id = $1 AND a.outcome = 'human'`,
      [tenantId],
    );
    const stored = original.rows[0]!;
    expect(stored.content_type).toBe(platform === 'voximplant' ? 'audio/flac' : 'audio/wav');
    const chunks: Buffer[] = [];
    for await (const c of h.app.storage.read(stored.storage_key)) chunks.push(Buffer.from(c as Uint8Array));
    const audio = await decodeRecording(Buffer.concat(chunks), stored.content_type);
    expect(audio.channels).toHaveLength(2);
    expect(ext.record?.bytes.length).toBeGreaterThan(1000);
    const comment = portal.timeline('deal', agree!.deal).find((e) => e.kind === 'comment');
    expect(comment && 'comment' in comment ? comment.comment : '').toContain('Gender: Female');

    expect(busy!.wf.returnValues).toMatchObject({ outcome: 'busy', recording_url: '' });
    const [busyCall] = calls(portal.timeline('deal', busy!.deal));
    expect(portal.externalCall(busyCall!.activity.callId!)).toMatchObject({ finished: true, statusCode: '486' });
  }, 120_000);
});
