import fs from 'node:fs';
import { deriveKey } from '../src/core/crypto.js';
import { openDatabase } from '../src/store/openDatabase.js';
import { signCallback } from '../src/voice/sandbox/callbackSignature.js';
import type { Queryable } from '../src/store/db.js';
import { databaseEnv, freshDatabaseUrl, onPostgres, postgresCpuMs } from './support/database.js';
import { apiClient, percentile, print, processCpuMs, quick, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from './support/server.js';
import { countStatements } from './support/statements.js';

/**
 * `voice_callbacks_per_sec`: signed platform callbacks for live calls, over HTTP on loopback, as a
 * busy platform sends them: each call reports ringing, answered, AMD, gender and its end (the end
 * classifies the outcome and queues the CRM write-back, in one transaction). One process on
 * PGlite; two processes sharing the campaign on PostgreSQL, the calls split between them.
 * Workers are off: only the callback path is measured, not the calls' own progress.
 */
const SECRET = 'bench-secret-key-shared-by-every-process-0123456789';
const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' };
const CONCURRENCY = 64;

export async function benchVoiceCallbacks(): Promise<void> {
  // 2,000 with --quick: with 500 the first seconds after the start (code still compiling, a cold
  // database) made most of the run, and its p99 (1.5–2.7 s against 0.26–0.36 s at 2,000).
  const calls = Number(process.env.BENCH_CALLS ?? (quick ? 2_000 : 10_000));
  const processes = onPostgres ? 2 : 1;
  const databaseUrl = await freshDatabaseUrl('callbacks');
  const dataDirs = Array.from({ length: processes }, () => tempDir('callbacks'));
  const env = { ...databaseEnv(databaseUrl), SECRET_KEY: SECRET, WORKERS: 'false', SANDBOX_TTS: 'generated', UPLOAD_LIMIT_MB: '64' };
  const servers: DozvonProcess[] = [];
  try {
    const first = await startDozvonProcess({ dataDir: dataDirs[0]!, env, compiled: true });
    const token = await setupAdmin(first);
    const { campaignId, templateId } = await campaignWithNumbers(first.url, token, calls);
    await first.stop();

    const attemptIds = await (async () => {
      const { db, close } = await openDatabase({ databaseUrl, dataDir: dataDirs[0]! });
      try {
        return await makeCallsLive(db, campaignId, templateId);
      } finally {
        await close();
      }
    })();
    if (attemptIds.length !== calls) throw new Error(`bench: ${attemptIds.length} calls prepared, ${calls} wanted`);

    // Compiled, as `npm start` runs it.
    for (const dataDir of dataDirs) servers.push(await startDozvonProcess({ dataDir, env, compiled: true }));
    const key = deriveKey(SECRET, 'voice-callback');
    const latencies: number[] = [];
    let failed = 0;
    const send = async (url: string, event: Record<string, unknown>) => {
      const t = performance.now();
      if (!(await sendCallback(url, key, event))) failed++;
      latencies.push(performance.now() - t);
    };
    let next = 0;
    // CPU of the Dozvon processes (and of the PostgreSQL server's backends when on this machine):
    // what a callback costs, much less dependent on the machine's load than the wall-clock rate.
    const cpuOf = () => servers.reduce((ms, s) => ms + processCpuMs(s.child.pid!), 0) + (postgresCpuMs() ?? 0);
    const cpuBefore = cpuOf();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < calls; i = next++) {
          const url = servers[i % servers.length]!.url;
          for (const event of callEvents(attemptIds[i]!, `bench-${i}`)) await send(url, event);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpuOf() - cpuBefore;
    print('voice_callbacks_per_sec', latencies.length / seconds, 'callbacks/s');
    print('voice_callbacks_p99_ms', percentile(latencies, 99), 'ms');
    print('voice_callbacks_p50_ms', percentile(latencies, 50), 'ms');
    print('voice_callbacks_failed', failed, 'callbacks');
    print('voice_callbacks_processes', servers.length, 'processes');
    print('voice_callbacks_cpu_per_callback', Math.round((cpuMs / Math.max(1, latencies.length)) * 100) / 100, 'ms');
    for (const s of servers) await s.stop();
  } finally {
    for (const s of servers) await s.kill();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** A campaign of `calls` numbers through the API of a running process. */
async function campaignWithNumbers(url: string, token: string, calls: number): Promise<{ campaignId: string; templateId: string }> {
  const api = apiClient(url, token);
  const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
  const template = await api<{ id: string }>('POST', '/templates', { name: 'Callbacks', scenarioId: scenarios.scenarios[0]!.id, callingWindow: { from: '00:00', to: '23:59' } });
  const campaign = await api<{ id: string }>('POST', '/campaigns', { name: 'Callbacks', templateId: template.id, settings: { window: ALWAYS } });
  const lines = ['phone'];
  for (let i = 0; i < calls; i++) lines.push(`+7916${String(10_000_000 + i).slice(1)}`);
  const form = new FormData();
  form.append('file', new Blob([`${lines.join('\n')}\n`]), 'numbers.csv');
  const r = await fetch(`${url}/api/v1/campaigns/${campaign.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (!r.ok) throw new Error(`import failed: ${r.status} ${await r.text()}`);
  return { campaignId: campaign.id, templateId: template.id };
}

/** Every number of the campaign becomes a call in progress, as the dispatcher leaves it once the platform took it. */
async function makeCallsLive(db: Queryable, campaignId: string, templateId: string): Promise<string[]> {
  await db.query(
    `INSERT INTO attempts (id, tenant_id, kind, campaign_id, number_id, contact_id, attempt_no, phone, template_id, template_version_id,
       scenario_version_id, platform, provider_call_id, status, placed, dialed_at)
     SELECT gen_random_uuid(), n.tenant_id, 'campaign', n.campaign_id, n.id, n.contact_id, 1, n.phone, t.id, tv.id, sv.id, 'sandbox',
       'bench-' || n.id, 'dialing', true, now()
     FROM campaign_numbers n
     JOIN campaigns c ON c.id = n.campaign_id
     JOIN templates t ON t.id = $2
     JOIN template_versions tv ON tv.template_id = t.id AND tv.version = t.current_version
     JOIN scenarios s ON s.id = (tv.settings ->> 'scenarioId')::uuid
     JOIN scenario_versions sv ON sv.scenario_id = s.id AND sv.version = s.current_version
     WHERE n.campaign_id = $1`,
    [campaignId, templateId],
  );
  await db.query(
    `UPDATE campaign_numbers n SET status = 'dialing', current_attempt_id = a.id, locked_by = 'bench', locked_until = now() + interval '1 hour'
     FROM attempts a WHERE a.number_id = n.id AND n.campaign_id = $1`,
    [campaignId],
  );
  const ids = await db.query<{ id: string }>('SELECT id FROM attempts WHERE campaign_id = $1 ORDER BY id', [campaignId]);
  return ids.rows.map((x) => x.id);
}

/** What a busy platform sends for one answered call: ringing, answered, AMD, gender, and its end. */
function callEvents(attemptId: string, providerCallId: string): Record<string, unknown>[] {
  const base = { attemptId, providerCallId };
  const at = () => new Date().toISOString();
  return [
    { ...base, seq: 1, at: at(), type: 'ringing' },
    { ...base, seq: 2, at: at(), type: 'answered' },
    { ...base, seq: 3, at: at(), type: 'amd', verdict: 'human' },
    { ...base, seq: 4, at: at(), type: 'gender', gender: 'female' },
    { ...base, seq: 5, at: at(), type: 'ended', cause: 'answered', sipCode: 200, durationSec: 30, talkSec: 25, answeredAt: at(), recordingUrl: null, error: null },
  ];
}

/** One signed sandbox callback over HTTP; false when it was refused or the connection failed. */
async function sendCallback(url: string, key: Buffer, event: Record<string, unknown>): Promise<boolean> {
  const body = JSON.stringify(event);
  try {
    const res = await fetch(`${url}/voice/sandbox/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signCallback(key, body, Math.floor(Date.now() / 1000)) },
      body,
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    // A connection reset counts as a failed callback (the platform would retry it), not as the end of the run.
    return false;
  }
}

/**
 * `voice_callback_statements_live` / `_ended`: database statements per callback, counted inside
 * one process with 1,000 calls live — what a callback costs the database whatever the machine (on
 * PGlite each statement is CPU of the event loop). BENCH_DEBUG lists the statements of each kind.
 */
export async function benchCallbackStatements(): Promise<void> {
  const calls = 1000;
  const dataDir = tempDir('callback-statements');
  const databaseUrl = await freshDatabaseUrl('callbackstatements');
  const { startDozvon } = await import('../src/main.js');
  const { createLogger } = await import('../src/log.js');
  const running = await startDozvon(
    { ...process.env, ...databaseEnv(databaseUrl), DATA_DIR: dataDir, PORT: '0', WORKERS: 'false', LOG_LEVEL: 'silent', SANDBOX_TTS: 'generated', SECRET_KEY: SECRET },
    { log: createLogger('silent') },
  );
  try {
    const token = await setupAdmin({ url: running.url, dataDir });
    const { campaignId, templateId } = await campaignWithNumbers(running.url, token, calls);
    const attemptIds = await makeCallsLive(running.app.db, campaignId, templateId);
    const key = deriveKey(SECRET, 'voice-callback');
    const events = attemptIds.map((id, i) => callEvents(id, `bench-${i}`));
    const statements = countStatements(running.app.db);
    try {
      // The live events of every call first, then every call's end: each kind counted on its own.
      for (const [kind, picked] of [['live', [0, 1, 2, 3]], ['ended', [4]]] as const) {
        statements.reset();
        let failed = 0;
        for (const p of picked) {
          let next = 0;
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              for (let i = next++; i < calls; i = next++) if (!(await sendCallback(running.url, key, events[i]![p]!))) failed++;
            }),
          );
        }
        if (failed > 0) throw new Error(`bench: ${failed} ${kind} callbacks failed`);
        const sent = calls * picked.length;
        print(`voice_callback_statements_${kind}`, Math.round((statements.total() / sent) * 100) / 100, 'statements');
        if (process.env.BENCH_DEBUG) for (const line of statements.lines(sent)) console.error(`# ${kind}: ${line.replace('×', '/callback')}`);
      }
    } finally {
      statements.stop();
    }
  } finally {
    await running.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
