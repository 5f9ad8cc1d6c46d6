import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeWav } from '../../support/wav.js';

interface ErrorBody {
  error: { code: string; message: string; details: { path: string; message: string; reason: string }[] };
}

let t: TestApp;
let scenarioId: string;

beforeAll(async () => {
  t = await startTestApp();
  const s = await t.api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
  scenarioId = s.body.scenarios[0]!.id;
});
afterAll(async () => t?.stop());

const countRows = async (table: string) => Number((await t.dozvon.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

describe('templates', () => {
  it('creates a template with every field of the spec and returns it with defaults filled in', async () => {
    const set = await t.api<{ id: string }>('POST', '/redial-rule-sets', {
      name: 'Standard',
      rules: { busy: { delayMinutes: 10, from: 'start', maxCount: 3 }, machine: { delayMinutes: 120, from: 'answer', maxCount: 1 } },
    });
    expect(set.status).toBe(201);
    const group = await t.api<{ id: string; numbers: string[] }>('POST', '/caller-id-groups', { name: 'Moscow', numbers: ['8 (495) 989-85-33', '+7 495 123-45-67'] });
    expect(group.status).toBe(201);
    expect(group.body.numbers).toEqual(['+74959898533', '+74951234567']);
    const plan = await t.api<{ id: string }>('POST', '/dial-plans', { name: 'Own trunk', trunk: 'sip:trunk@carrier', rules: [{ prefix: '7', stripDigits: 1, addPrefix: '8' }] });
    const dir = await t.api<{ id: string }>('POST', '/transfer-directions', { name: 'Sales desk', numbers: ['101', '+7 900 123-45-67'] });
    expect(dir.status).toBe(201);
    const res = await t.api<{ id: string; version: number; settings: Record<string, unknown> }>('POST', '/templates', {
      name: 'Full template',
      scenarioId,
      dialPlan: { mode: 'custom', dialPlanId: plan.body.id },
      amd: { mode: 'background', greetingId: null },
      callerId: { mode: 'group', groupId: group.body.id },
      redirect: { mode: 'direction', directionId: dir.body.id },
      intensity: 0.5,
      callingWindow: { from: '10:00', to: '19:30' },
      ineffectiveSec: 8,
      country: 'kz',
      genderDetection: true,
      redial: { mode: 'set', setId: set.body.id },
    });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(1);
    expect(res.body.settings).toMatchObject({ country: 'KZ', intensity: 0.5, shortCallSec: 5, description: '' });
  });

  it('a change makes a new version; the old one stays in the history', async () => {
    const created = await t.api<{ id: string; settings: Record<string, unknown> }>('POST', '/templates', { name: 'Versioned', scenarioId });
    const changed = await t.api<{ version: number }>('PUT', `/templates/${created.body.id}`, { ...created.body.settings, intensity: 3 });
    expect(changed.body.version).toBe(2);
    const history = await t.api<{ versions: { version: number; settings: { intensity: number } }[] }>('GET', `/templates/${created.body.id}/versions`);
    expect(history.body.versions.map((v) => [v.version, v.settings.intensity])).toEqual([
      [2, 3],
      [1, 1],
    ]);
    const stale = await t.api<ErrorBody>('PUT', `/templates/${created.body.id}?expectedVersion=1`, { ...created.body.settings, intensity: 4 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
  });

  it('refuses bad settings with one precise message per field, in the caller language, storing nothing', async () => {
    const before = await countRows('template_versions');
    const res = await t.api<ErrorBody>(
      'POST',
      '/templates?lang=ru',
      {
        name: '',
        scenarioId: 'not-a-uuid',
        intensity: 60,
        callingWindow: { from: '9:00', to: '25:00' },
        country: 'XX',
        amd: { mode: 'sometimes' },
        redial: { mode: 'inline', rules: { busy: { delayMinutes: 5, maxCount: 100 } } },
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const byPath = Object.fromEntries(res.body.error.details.map((d) => [d.path, d]));
    expect(Object.keys(byPath)).toEqual(
      expect.arrayContaining(['name', 'scenarioId', 'intensity', 'callingWindow.from', 'callingWindow.to', 'country', 'amd.mode', 'redial.rules.busy.maxCount']),
    );
    expect(byPath.intensity!.message).toBe('Не больше 50.');
    expect(byPath['callingWindow.from']!.message).toContain('ЧЧ:ММ');
    expect(await countRows('template_versions')).toBe(before);
  });

  it('refuses references to things that do not exist in this tenant', async () => {
    const res = await t.api<ErrorBody>('POST', '/templates', { name: 'Dangling', scenarioId: '01a1fcdd-0000-7000-8000-000000000000' });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ path: 'scenarioId', reason: 'validation.reference_not_found' });
  });

  it('keeps names unique and refuses deleting a scenario a template uses', async () => {
    await t.api('POST', '/templates', { name: 'Twin', scenarioId });
    const dup = await t.api<ErrorBody>('POST', '/templates', { name: 'twin', scenarioId });
    expect(dup.status).toBe(409);
    const del = await t.api<ErrorBody>('DELETE', `/scenarios/${scenarioId}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain('Twin');
  });

  it('offers the clients-file template with the phone and the scenario variables (CSV and XLSX)', async () => {
    const list = await t.api<{ templates: { id: string }[] }>('GET', '/templates');
    const id = list.body.templates[0]!.id;
    const csv = await fetch(`${t.url}/api/v1/templates/${id}/clients-file?format=csv`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename=.*\.csv/);
    const text = (await csv.text()).replace(/^\uFEFF/, '');
    expect(text.split(/\r?\n/)[0]).toMatch(/^phone[;,]name[;,]product$/);
    const xlsx = await fetch(`${t.url}/api/v1/templates/${id}/clients-file?format=xlsx`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(xlsx.status).toBe(200);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  });
});

describe('scenarios', () => {
  const node = (id: string, type: string, settings: Record<string, unknown>, exits: Record<string, string> = {}) => ({ id, type, settings, exits });

  it('refuses a scenario with a cycle the call can never leave, naming the node', async () => {
    const res = await t.api<ErrorBody>('POST', '/scenarios', {
      name: 'Loop',
      nodes: [
        node('start', 'start', {}, { next: 'q' }),
        node('q', 'ask', { question: 'Again?', branches: [{ id: 'yes', intent: 'yes' }] }, { yes: 'q2', noMatch: 'q', noInput: 'q' }),
        node('q2', 'ask', { question: 'Sure?', branches: [{ id: 'yes', intent: 'yes' }] }, { yes: 'q', noMatch: 'q', noInput: 'q2' }),
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d) => d.reason)).toContain('scenario.no_way_out');
    const stuck = res.body.error.details.filter((d) => d.reason === 'scenario.no_way_out').map((d) => d.message);
    expect(stuck.some((m) => m.includes('"q"'))).toBe(true);
  });

  it('names the node for unknown elements, dangling exits, unreachable nodes and undeclared variables', async () => {
    const res = await t.api<ErrorBody>('POST', '/scenarios', {
      name: 'Broken',
      nodes: [
        node('start', 'start', {}, { next: 'hello' }),
        node('hello', 'speak', { text: 'Hi {firstName}' }, { next: 'nowhere' }),
        node('ghost', 'teleport', {}),
        node('island', 'hangUp', {}),
      ],
    });
    expect(res.status).toBe(422);
    const reasons = res.body.error.details.map((d) => `${d.reason}:${d.path}`);
    expect(reasons).toEqual(
      expect.arrayContaining(['scenario.unknown_element:nodes.2.type', 'scenario.dangling_exit:nodes.1.exits.next', 'scenario.unknown_variable:nodes.1.settings']),
    );
  });

  it('a saved change is a new version and lists the elements the editor can use', async () => {
    const s = await t.api<{ id: string; graph: Record<string, unknown> }>('GET', `/scenarios/${scenarioId}`);
    const changed = await t.api<{ version: number }>('PUT', `/scenarios/${scenarioId}`, { ...s.body.graph, description: 'edited' });
    expect(changed.body.version).toBe(2);
    const el = await t.api<{ elements: { type: string }[] }>('GET', '/scenario-elements');
    expect(el.body.elements.map((e) => e.type)).toEqual(expect.arrayContaining(['start', 'speak', 'ask', 'condition', 'setResult', 'transfer', 'hangUp']));
  });
});

describe('bad input gets a clear 4xx and loses nothing', () => {
  it('malformed JSON → 400', async () => {
    const res = await t.api<ErrorBody>('POST', '/templates', '{"name": "x",', {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('a wrong content type → 415', async () => {
    const res = await t.api<ErrorBody>('POST', '/templates', 'name=x', { headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('application/json');
  });

  it('an invalid phone on a test call → 422 naming the value, no attempt stored', async () => {
    const before = await countRows('attempts');
    const list = await t.api<{ templates: { id: string }[] }>('GET', '/templates');
    const res = await t.api<ErrorBody>('POST', '/test-calls', { templateId: list.body.templates[0]!.id, phone: '12-34' });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ path: 'phone' });
    expect(res.body.error.details[0]!.message).toContain('12-34');
    expect(await countRows('attempts')).toBe(before);
  });

  it('a greeting that is not a WAV (renamed text, truncated WAV) → 400 with the reason; nothing stored', async () => {
    const before = await countRows('media');
    const upload = async (bytes: Buffer, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), name);
      const r = await fetch(`${t.url}/api/v1/greetings`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
      return { status: r.status, body: (await r.json()) as ErrorBody };
    };
    const text = await upload(Buffer.from('definitely not audio'), 'fake.wav');
    expect(text.status).toBe(400);
    expect(text.body.error.message).not.toBe('');
    const wav = makeWav({ ms: 1000, hz: 300 });
    const truncated = await upload(wav.subarray(0, 30), 'cut.wav');
    expect(truncated.status).toBe(400);
    expect(await countRows('media')).toBe(before);
    const ok = await upload(wav, 'fine.wav');
    expect(ok.status).toBe(201);
  });

  it('a 50 MB upload → 413, the server stays healthy', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(50 * 1024 * 1024)]), 'huge.wav');
    const r = await fetch(`${t.url}/api/v1/greetings`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
    expect(r.status).toBe(413);
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
  });

  it('unknown fields are refused rather than silently dropped', async () => {
    const res = await t.api<ErrorBody>('POST', '/templates', { name: 'X', scenarioId, intensty: 2 });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]!.reason).toBe('validation.unrecognized_keys');
  });
});

describe('auth', () => {
  it('refuses anonymous and forged sessions with 401', async () => {
    expect((await t.api('GET', '/templates', undefined, { token: null })).status).toBe(401);
    const forged = await t.api<ErrorBody>('GET', '/templates', undefined, { token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect(forged.status).toBe(401);
  });

  it('a manager can read and call but cannot change templates', async () => {
    const created = await t.api('POST', '/users', { email: 'manager@example.com', name: 'Mia', password: 'manager-pass-1', role: 'manager' });
    expect(created.status).toBe(201);
    const login = await t.api<{ token: string }>('POST', '/auth/login', { email: 'manager@example.com', password: 'manager-pass-1' }, { token: null });
    expect(login.status).toBe(200);
    expect((await t.api('GET', '/templates', undefined, { token: login.body.token })).status).toBe(200);
    expect((await t.api('POST', '/templates', { name: 'M', scenarioId }, { token: login.body.token })).status).toBe(403);
  });

  it('a wrong password is refused without saying whether the account exists', async () => {
    const a = await t.api<ErrorBody>('POST', '/auth/login', { email: 'manager@example.com', password: 'nope-nope-nope' }, { token: null });
    const b = await t.api<ErrorBody>('POST', '/auth/login', { email: 'nobody@example.com', password: 'nope-nope-nope' }, { token: null });
    expect(a.status).toBe(401);
    expect(a.body.error.message).toBe(b.body.error.message);
  });

  it('setup is closed once an admin exists', async () => {
    const res = await t.api<ErrorBody>('POST', '/setup', { email: 'x@example.com', name: 'X', password: 'long-enough-1', setupCode: 'guess' }, { token: null });
    expect(res.status).toBe(409);
  });
});

describe('documents and status', () => {
  it('serves the OpenAPI document generated from the route schemas', async () => {
    const res = await t.api<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/templates', '/templates/{id}', '/test-calls', '/attempts/{id}', '/scenarios']));
  });

  it('GET /status shows version, database and voice platform in the browser language', async () => {
    const res = await fetch(`${t.url}/status`, { headers: { 'accept-language': 'ru' } });
    const html = await res.text();
    expect(html).toContain('База данных');
    expect(html).toContain('sandbox');
  });
});
