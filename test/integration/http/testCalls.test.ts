import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectWav } from '../../../src/voice/audio/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeWav } from '../../support/wav.js';

interface AttemptBody {
  id: string;
  status: string;
  outcome: string | null;
  amdVerdict: string | null;
  gender: string | null;
  result: string | null;
  tags: string[];
  answers: Record<string, { text: string; branch: string }>;
  steps: { nodeId: string }[];
  sipCode: number | null;
  recordingUrl: string | null;
  durationSec: number | null;
  talkSec: number | null;
  error: string | null;
}

let t: TestApp;
let starterTemplateId: string;

async function call(phone: string, templateId = starterTemplateId, variables: Record<string, string> = { name: 'Anna' }): Promise<AttemptBody> {
  const placed = await t.api<AttemptBody>('POST', '/test-calls', { templateId, phone, variables });
  expect(placed.status).toBe(202);
  const done = await t.api<AttemptBody>('GET', `/attempts/${placed.body.id}?wait=60`);
  expect(done.body.status).toBe('completed');
  return done.body;
}

beforeAll(async () => {
  t = await startTestApp();
  const list = await t.api<{ templates: { id: string }[] }>('GET', '/templates');
  starterTemplateId = list.body.templates[0]!.id;
});
afterAll(async () => t?.stop());

describe('a test call with the starter template, for each sandbox magic number', () => {
  it('+7 900 000-00-04: a woman answers, agrees; positive tag and a playable recording', async () => {
    const a = await call('+7 900 000-00-04');
    expect(a).toMatchObject({ outcome: 'human', gender: 'female', amdVerdict: 'human', result: 'interested', sipCode: 200 });
    expect(a.tags).toContain('positive');
    expect(a.answers.askInterest?.branch).toBe('yes');
    expect(a.recordingUrl).toBeTruthy();
    const res = await fetch(a.recordingUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const wav = Buffer.from(await res.arrayBuffer());
    const info = inspectWav(wav);
    expect(info.ok).toBe(true);
    if (info.ok) expect(info.durationMs).toBeGreaterThan(3000);
    const part = await fetch(a.recordingUrl!, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(wav.subarray(100, 200));
  });

  it('…0007: a man answers and declines (negative branch)', async () => {
    const a = await call('+79000000007');
    expect(a).toMatchObject({ outcome: 'human', gender: 'male', result: 'not_interested' });
    expect(a.tags).toEqual(['negative']);
  });

  it('…0001 busy, …0002 no answer, …0006 operator failure, …0008 no such number', async () => {
    const [busy, noAnswer, failure, invalid] = await Promise.all(['+79000000001', '+79000000002', '+79000000006', '+79000000008'].map((p) => call(p)));
    expect(busy).toMatchObject({ outcome: 'busy', sipCode: 486, recordingUrl: null, result: null });
    expect(noAnswer).toMatchObject({ outcome: 'no_answer', sipCode: 480, recordingUrl: null });
    expect(failure).toMatchObject({ outcome: 'failed', sipCode: 503 });
    expect(invalid).toMatchObject({ outcome: 'invalid_number', sipCode: 404 });
  });

  it('…0003: an answering machine is detected in the background and the call ends', async () => {
    const a = await call('+79000000003');
    expect(a).toMatchObject({ outcome: 'machine', amdVerdict: 'machine', gender: 'unknown', result: null });
    expect(a.recordingUrl).toBeTruthy();
  });

  it('…0005: the callee hangs up within 2 s: a short call', async () => {
    const a = await call('+79000000005');
    expect(a.outcome).toBe('short');
    expect(a.talkSec).toBeLessThan(2);
  });

  it('…0009: the platform refuses the request: 502 with the attempt stored as failed', async () => {
    const placed = await t.api<{ error: { code: string; attemptId: string } }>('POST', '/test-calls', { templateId: starterTemplateId, phone: '+79000000009' });
    expect(placed.status).toBe(502);
    expect(placed.body.error.code).toBe('voice_platform_failed');
    const a = await t.api<AttemptBody>('GET', `/attempts/${placed.body.error.attemptId}`);
    expect(a.body).toMatchObject({ status: 'completed', outcome: 'failed' });
  });
});

describe('answering-machine detection modes', () => {
  let blockingTemplateId: string;
  beforeAll(async () => {
    const upload = new FormData();
    upload.append('file', new Blob([new Uint8Array(makeWav({ ms: 1500, hz: 440 }))], { type: 'audio/wav' }), 'wait.wav');
    const g = await fetch(`${t.url}/api/v1/greetings`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: upload });
    expect(g.status).toBe(201);
    const greeting = (await g.json()) as { id: string };
    const starter = await t.api<{ settings: Record<string, unknown> }>('GET', `/templates/${starterTemplateId}`);
    const created = await t.api<{ id: string }>('POST', '/templates', {
      ...starter.body.settings,
      name: 'Blocking AMD',
      amd: { mode: 'blocking', greetingId: greeting.id },
    });
    expect(created.status).toBe(201);
    blockingTemplateId = created.body.id;
  });

  it('blocking: the bot stays silent for a machine (no scenario step runs)', async () => {
    const a = await call('+79000000003', blockingTemplateId);
    expect(a).toMatchObject({ outcome: 'machine', amdVerdict: 'machine' });
    expect(a.steps).toEqual([]);
  });

  it('blocking: a human is confirmed first, then the dialogue runs', async () => {
    const a = await call('+79000000004', blockingTemplateId);
    expect(a).toMatchObject({ outcome: 'human', amdVerdict: 'human', result: 'interested' });
    expect(a.steps.length).toBeGreaterThan(3);
  });
});

describe('the voice callback path', () => {
  it('a repeated event changes nothing; a forged signature is refused before anything is read', async () => {
    const { signCallback } = await import('../../../src/voice/sandbox/callbackSignature.js');
    const a = await call('+79000000004');
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${t.url}/voice/sandbox/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const replay = JSON.stringify({
      attemptId: a.id,
      providerCallId: 'sbx-replayed',
      seq: 1,
      at: new Date().toISOString(),
      type: 'ringing',
    });
    const key = t.dozvon.app.keys.voiceCallback;
    const res = await post(replay, signCallback(key, replay, Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, duplicate: true });
    const forged = await post(replay, { 'x-dozvon-timestamp': String(Math.floor(Date.now() / 1000)), 'x-dozvon-signature': 'sha256=00' });
    expect(forged.status).toBe(401);
    const stale = await post(replay, signCallback(key, replay, Math.floor(Date.now() / 1000) - 3600));
    expect(stale.status).toBe(401);
    const after = await t.api<AttemptBody>('GET', `/attempts/${a.id}`);
    expect(after.body).toMatchObject({ status: 'completed', outcome: 'human' });
  });

  it('an event for an unknown call is a 404, and malformed events a 422', async () => {
    const { signCallback } = await import('../../../src/voice/sandbox/callbackSignature.js');
    const key = t.dozvon.app.keys.voiceCallback;
    const send = (o: unknown) => {
      const body = JSON.stringify(o);
      return fetch(`${t.url}/voice/sandbox/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signCallback(key, body, Math.floor(Date.now() / 1000)) }, body });
    };
    const unknown = await send({ attemptId: '01a1fcdd-0000-7000-8000-000000000001', providerCallId: 'x', seq: 1, at: new Date().toISOString(), type: 'answered' });
    expect(unknown.status).toBe(404);
    const bad = await send({ attemptId: 'nope', seq: -1, type: 'exploded' });
    expect(bad.status).toBe(422);
  });
});
