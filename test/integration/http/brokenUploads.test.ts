import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiClient, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from '../../support/dozvonProcess.js';
import { multipartBody, rawRequest } from '../../support/rawHttp.js';
import { makeWav } from '../../support/wav.js';

/**
 * Uploads that break on the way (issue 8 §1): a multipart body that ends mid-part ("Unexpected end
 * of form") used to raise an unhandled 'error' on busboy's file stream and end the process. Run
 * against Dozvon as its own process, started as a user starts it, so a crash shows as an exit.
 */
let p: DozvonProcess;
let token: string;
let api: ReturnType<typeof apiClient>;
let campaignId: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('uploads');
  p = await startDozvonProcess({ dataDir, env: { SANDBOX_TTS: 'generated', WORKERS: 'false' } });
  token = await setupAdmin(p);
  api = apiClient(p.url, token);
  const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
  const template = await api<{ id: string }>('POST', '/templates', { name: 'Uploads', scenarioId: scenarios.scenarios[0]!.id });
  const campaign = await api<{ id: string }>('POST', '/campaigns', { name: 'Uploads', templateId: template.id, startAt: new Date(Date.now() + 86400_000).toISOString() });
  campaignId = campaign.id;
}, 120_000);
afterAll(async () => p?.kill());

const csv = 'phone;name\n+79001234567;Anna\n+79001234568;Boris\n';
const numbersIn = async () => (await api<{ numbers: Record<string, number> }>('GET', `/campaigns/${campaignId}`)).numbers;
const greetings = async () => (await api<{ greetings: unknown[] }>('GET', '/greetings')).greetings;

/** Clients files are spooled to DATA_DIR/uploads while they arrive: none may stay there (client phone numbers). */
async function noUploadLeft(): Promise<void> {
  const dir = path.join(dataDir, 'uploads');
  await vi.waitFor(() => expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]), { timeout: 5000 });
}

async function stillServing(): Promise<void> {
  expect(p.child.exitCode, p.output()).toBeNull();
  expect(p.child.signalCode).toBeNull();
  const health = await fetch(`${p.url}/health`);
  expect(health.status).toBe(200);
}

/** The whole body but the closing boundary and the last bytes of the file: complete HTTP, broken form. */
function cutMidPart(content: Buffer | string, filename: string): { boundary: string; body: Buffer } {
  const { boundary, body } = multipartBody({ filename, content });
  return { boundary, body: body.subarray(0, body.length - `\r\n--${boundary}--\r\n`.length - 5) };
}

describe('a multipart body that ends mid-part', () => {
  it('numbers import: 400 with a translated message, nothing imported, the server keeps serving', async () => {
    const { boundary, body } = cutMidPart(csv, 'clients.csv');
    const r = await rawRequest({
      url: p.url,
      method: 'POST',
      path: `/api/v1/campaigns/${campaignId}/numbers/import?lang=ru`,
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
      body,
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toContain('"code":"bad_request"');
    expect(r.text).toContain('Загрузка оборвалась');
    await stillServing();
    expect(await numbersIn()).toEqual({});
    await noUploadLeft();
  });

  it('greeting upload: 400, no greeting stored', async () => {
    const { boundary, body } = cutMidPart(makeWav({ ms: 300, hz: 440 }), 'hello.wav');
    const r = await rawRequest({
      url: p.url,
      method: 'POST',
      path: '/api/v1/greetings',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
      body,
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toContain('The upload was cut off');
    await stillServing();
    expect(await greetings()).toEqual([]);
  });
});

describe('a client that hangs up mid-upload', () => {
  it('declared 1 MB, sent a few hundred bytes, then closed: nothing written, the server keeps serving', async () => {
    for (const path of [`/api/v1/campaigns/${campaignId}/numbers/import`, '/api/v1/greetings']) {
      const { boundary, body } = multipartBody({ filename: 'clients.csv', content: csv.repeat(100) });
      await rawRequest({
        url: p.url,
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(1024 * 1024) },
        body: body.subarray(0, 300),
        hangUp: true,
      });
    }
    await stillServing();
    expect(await numbersIn()).toEqual({});
    expect(await greetings()).toEqual([]);
    await noUploadLeft();
  });

  it('after all that, a whole upload is imported as usual', async () => {
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'clients.csv');
    const r = await fetch(`${p.url}/api/v1/campaigns/${campaignId}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(r.status).toBe(200);
    expect(await numbersIn()).toEqual({ new: 2 });
    await noUploadLeft();
  });

  it('the column mapping is applied whether it comes before or after the file in the form', async () => {
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Order', scenarioId: scenarios.scenarios[0]!.id });
    // The first column is an id the mapping ignores; the phone is in the second.
    const file = new Blob(['code;tel\nA1;+79001234571\nA2;+79001234572\n'], { type: 'text/csv' });
    const mapping = JSON.stringify([
      { index: 0, role: 'ignored' },
      { index: 1, role: 'phone' },
    ]);
    for (const mappingFirst of [true, false]) {
      const campaign = await api<{ id: string }>('POST', '/campaigns', { name: `Order ${mappingFirst}`, templateId: template.id, startAt: new Date(Date.now() + 86400_000).toISOString() });
      const form = new FormData();
      if (mappingFirst) form.append('mapping', mapping);
      form.append('file', file, 'clients.csv');
      if (!mappingFirst) form.append('mapping', mapping);
      const r = await fetch(`${p.url}/api/v1/campaigns/${campaign.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(r.status, await r.clone().text()).toBe(200);
      expect(((await r.json()) as { numbersAdded: number }).numbersAdded).toBe(2);
    }
    await noUploadLeft();
  });
});
