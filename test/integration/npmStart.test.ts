import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateFile } from '../../src/store/pgliteTemplate.js';
import { walkMp3 } from '../support/mp3.js';
import { apiClient, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from '../support/dozvonProcess.js';

/**
 * What `npm start` runs: scripts/start.mjs bundles src/ into dist/ (when a source changed) and starts
 * the bundle. The rest of the suite runs the sources through tsx; this checks that what moves in a
 * bundle still works from it — the migrations and locales found from the checkout's root, the two
 * worker threads (clients files, MP3) started from their own entries, the API description, and
 * V8's code cache a restart reads instead of compiling the bundle again.
 */
let server: DozvonProcess;
let dataDir: string;
let api: ReturnType<typeof apiClient>;
let token: string;

beforeAll(async () => {
  dataDir = tempDir('npm-start');
  server = await startDozvonProcess({ dataDir, compiled: true, timeoutMs: 120_000, env: { SANDBOX_TIME_SCALE: '0.05', SANDBOX_TTS: 'generated', LOG_LEVEL: 'info' } });
  token = await setupAdmin(server);
  api = apiClient(server.url, token);
}, 150_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (the bundled server)', () => {
  it('runs from dist/, migrated, and describes its API', async () => {
    expect(fs.existsSync(path.join('dist', 'main.cjs'))).toBe(true);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; db: string };
    expect(health).toMatchObject({ status: 'ok', db: 'pglite' });
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.endsWith('/test-calls'))).toBe(true);
  });

  it('made the new embedded database at build time, and its first start unpacked it instead of running initdb', () => {
    // The bundle names the tarball as the sources do: the same PGlite, the same migrations.
    const stamp = JSON.parse(fs.readFileSync(path.join('dist', '.compiled-from-src'), 'utf8')) as { template: string | null };
    expect(stamp.template).toBe(templateFile());
    expect(fs.existsSync(stamp.template!)).toBe(true);
    expect(server.output()).toContain('new embedded database, unpacked from the build');
  });

  it('answers in the caller’s language from the locale files', async () => {
    const ru = await fetch(`${server.url}/api/v1/templates`, { headers: { 'accept-language': 'ru' } });
    expect(ru.status).toBe(401);
    const body = (await ru.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/[А-Яа-я]/);
  });

  it('imports a clients file in its worker thread', async () => {
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Bundle', scenarioId: scenarios.scenarios[0]!.id });
    const campaign = await api<{ id: string }>('POST', '/campaigns', { name: 'Bundle', templateId: template.id });
    const form = new FormData();
    form.append('file', new Blob(['phone,name\n+79000000004,Anna\n+79000000005,Boris\nnot a phone,Vera\n']), 'clients.csv');
    const r = await fetch(`${server.url}/api/v1/campaigns/${campaign.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    const report = (await r.json()) as { rows: number; numbersAdded: number };
    expect(r.status).toBe(200);
    expect(report).toMatchObject({ rows: 3, numbersAdded: 2 });
  });

  it('places a sandbox call and makes the MP3 copy of its recording in the encoder thread', async () => {
    const templates = await api<{ templates: { id: string }[] }>('GET', '/templates');
    const placed = await api<{ id: string }>('POST', '/test-calls', { templateId: templates.templates[0]!.id, phone: '+79000000004', variables: { name: 'Anna' } });
    const done = await api<{ status: string; outcome: string }>('GET', `/attempts/${placed.id}?wait=60`);
    expect(done).toMatchObject({ status: 'completed', outcome: 'human' });
    // The MP3 is for the CRMs' players (not in the API): it is looked for where the server stores media.
    let mp3: string | undefined;
    for (let i = 0; i < 300 && !mp3; i++) {
      mp3 = filesUnder(path.join(dataDir, 'media')).find((f) => f.endsWith('.mp3'));
      if (!mp3) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mp3).toBeDefined();
    const walk = walkMp3(fs.readFileSync(mp3!));
    expect(walk.garbage).toBe(0);
    expect(walk.frames).toBeGreaterThan(10);
  });
});

describe('npm start again', () => {
  const caches = () => fs.readdirSync('dist').filter((f) => /^main\.cjs\..+\.cache$/.test(f));

  it('saved what the first start compiled, and a restart reads it instead of saving it again', async () => {
    await expect.poll(caches, { timeout: 20_000, interval: 200 }).toHaveLength(1);
    const saved = fs.statSync(path.join('dist', caches()[0]!)).mtimeMs;
    await server.stop();
    server = await startDozvonProcess({ dataDir, compiled: true, timeoutMs: 120_000, env: { SANDBOX_TIME_SCALE: '0.05', SANDBOX_TTS: 'generated', LOG_LEVEL: 'info' } });
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    // A cache V8 refused would be written again 3 s after the start.
    await new Promise((r) => setTimeout(r, 4500));
    expect(caches()).toHaveLength(1);
    expect(fs.statSync(path.join('dist', caches()[0]!)).mtimeMs).toBe(saved);
  }, 60_000);
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
