import fs from 'node:fs';
import http from 'node:http';
import { deriveKey } from '../src/core/crypto.js';
import { openDatabase } from '../src/store/openDatabase.js';
import { signCallback } from '../src/voice/sandbox/callbackSignature.js';
import type { Queryable } from '../src/store/db.js';
import { databaseEnv, freshDatabaseUrl, onPostgres, postgresCpuMs } from './support/database.js';
import { startEmptyHttpServer } from './support/emptyHttpServer.js';
import { machineBusyShare, machineCpu } from './support/machine.js';
import { apiClient, percentile, print, processCpuMs, quick, setupAdmin, startDozvonProcess, tempDir, threadCpuMs, type DozvonProcess } from './support/server.js';
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
  // Then calls as a 50-calls/s campaign's platform sends them (12 s / 40 s of them).
  const pacedCalls = quick ? 600 : 2_000;
  const processes = onPostgres ? 2 : 1;
  const databaseUrl = await freshDatabaseUrl('callbacks');
  const dataDirs = Array.from({ length: processes }, () => tempDir('callbacks'));
  const env = { ...databaseEnv(databaseUrl), SECRET_KEY: SECRET, WORKERS: 'false', SANDBOX_TTS: 'generated', UPLOAD_LIMIT_MB: '64' };
  const servers: DozvonProcess[] = [];
  try {
    const first = await startDozvonProcess({ dataDir: dataDirs[0]!, env, compiled: true });
    const token = await setupAdmin(first);
    const { campaignId, templateId } = await campaignWithNumbers(first.url, token, calls + pacedCalls);
    await first.stop();

    const attemptIds = await (async () => {
      const { db, close } = await openDatabase({ databaseUrl, dataDir: dataDirs[0]! });
      try {
        return await makeCallsLive(db, campaignId, templateId);
      } finally {
        await close();
      }
    })();
    if (attemptIds.length !== calls + pacedCalls) throw new Error(`bench: ${attemptIds.length} calls prepared, ${calls + pacedCalls} wanted`);

    // Compiled, as `npm start` runs it.
    for (const dataDir of dataDirs) servers.push(await startDozvonProcess({ dataDir, env, compiled: true }));
    const key = deriveKey(SECRET, 'voice-callback');
    // CPU of the Dozvon processes (and of the PostgreSQL server's backends when on this machine):
    // what a callback costs, much less dependent on the machine's load than the wall-clock rate.
    const dozvonCpu = () => servers.reduce((ms, s) => ms + processCpuMs(s.child.pid!), 0);
    const cpuOf = () => dozvonCpu() + (postgresCpuMs() ?? 0);
    const cpuBefore = cpuOf();
    const dozvonBefore = dozvonCpu();
    const mainBefore = servers.map((s) => threadCpuMs(s.child.pid!).main);
    const ours = await driveCallbacks(servers.map((s) => s.url), attemptIds.slice(0, calls), key);
    const cpuMs = cpuOf() - cpuBefore;
    const dozvonMs = dozvonCpu() - dozvonBefore;
    const mainBusy = servers.map((s, i) => (threadCpuMs(s.child.pid!).main - mainBefore[i]!) / (ours.seconds * 1000));
    print('voice_callbacks_per_sec', ours.perSec, 'callbacks/s');
    print('voice_callbacks_p99_ms', percentile(ours.latencies, 99), 'ms');
    print('voice_callbacks_p50_ms', percentile(ours.latencies, 50), 'ms');
    print('voice_callbacks_failed', ours.failed, 'callbacks');
    print('voice_callbacks_processes', servers.length, 'processes');
    const perCallback = (ms: number) => Math.round((ms / Math.max(1, ours.latencies.length)) * 100) / 100;
    print('voice_callbacks_cpu_per_callback', perCallback(cpuMs), 'ms');
    if (postgresCpuMs() !== undefined) print('voice_callbacks_db_server_cpu_per_callback', perCallback(cpuMs - dozvonMs), 'ms');
    // Near 1: the event loop (on PGlite, the database's statements run on it) is the limit.
    print('voice_callbacks_main_thread_busy_share', Math.round(Math.max(...mainBusy) * 1000) / 1000, 'ratio');
    print('voice_callbacks_machine_busy_share', ours.machineBusy, 'ratio');
    // With 64 callbacks always in flight the latency is the queue's (64 / rate): the p99 of the
    // goal is also measured as a platform sends them, at the pace of a 50-calls/s campaign.
    const paced = await callbacksAtPace(servers.map((s) => s.url), attemptIds.slice(calls), key, 50);
    print('voice_callbacks_p99_ms_at_50_calls_per_sec', percentile(paced.latencies, 99), 'ms');
    print('voice_callbacks_p50_ms_at_50_calls_per_sec', percentile(paced.latencies, 50), 'ms');
    print('voice_callbacks_failed_at_50_calls_per_sec', paced.failed, 'callbacks');
    for (const s of servers) await s.stop();

    // The yardstick: the same client, the same requests, against as many bare Node HTTP servers
    // that only parse the body and answer. What this machine and Node's HTTP allow at all.
    const empty = await Promise.all(servers.map(() => startEmptyHttpServer()));
    try {
      const bare = await driveCallbacks(empty.map((e) => e.url), attemptIds.slice(0, calls), key);
      if (bare.failed > 0) throw new Error(`bench: ${bare.failed} requests to the empty server failed`);
      print('voice_callbacks_per_sec_empty_server', bare.perSec, 'callbacks/s');
      print('voice_callbacks_vs_empty_server', Math.round((ours.perSec / bare.perSec) * 1000) / 1000, 'ratio');
      print('voice_callbacks_machine_busy_share_empty_server', bare.machineBusy, 'ratio');
    } finally {
      for (const e of empty) e.stop();
    }
  } finally {
    for (const s of servers) await s.kill();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/**
 * Each call's five callbacks in order, CONCURRENCY calls at a time, the calls split between the
 * servers: the rate, each request's latency and the machine's busy share meanwhile.
 */
async function driveCallbacks(
  urls: string[],
  attemptIds: string[],
  key: Buffer,
): Promise<{ perSec: number; seconds: number; latencies: number[]; failed: number; machineBusy: number }> {
  const sent: Sent = { latencies: [], failed: 0 };
  let next = 0;
  const machineBefore = machineCpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < attemptIds.length; i = next++) await sendCall(urls[i % urls.length]!, key, attemptIds[i]!, `bench-${i}`, sent);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSec: sent.latencies.length / seconds, seconds, ...sent, machineBusy: machineBusyShare(machineBefore) };
}

/**
 * Open loop: a call begins every 1/`callsPerSec` s whatever the answers so far, and sends its five
 * callbacks one after another, as the platform of a campaign at that pace would.
 */
async function callbacksAtPace(urls: string[], attemptIds: string[], key: Buffer, callsPerSec: number): Promise<Sent> {
  const sent: Sent = { latencies: [], failed: 0 };
  const started = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < attemptIds.length; i++) {
    const due = started + (i * 1000) / callsPerSec;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(sendCall(urls[i % urls.length]!, key, attemptIds[i]!, `paced-${i}`, sent));
  }
  await Promise.all(calls);
  return sent;
}

interface Sent {
  latencies: number[];
  failed: number;
}

/** One call's five callbacks one after another, each one's latency and failure counted in `sent`. */
async function sendCall(url: string, key: Buffer, attemptId: string, providerCallId: string, sent: Sent): Promise<void> {
  for (const event of callEvents(attemptId, providerCallId)) {
    const t = performance.now();
    if (!(await sendCallback(url, key, event))) sent.failed++;
    sent.latencies.push(performance.now() - t);
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

// node:http with kept-alive sockets rather than fetch: undici's streams cost the client ~0.4 ms a
// request, CPU the server then lacks on two cores (against the bare server: 2,477 → 8,007 requests/s).
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One signed sandbox callback over HTTP; false when it was refused or the connection failed. */
function sendCallback(url: string, key: Buffer, event: Record<string, unknown>): Promise<boolean> {
  const body = JSON.stringify(event);
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/voice/sandbox/events`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...signCallback(key, body, Math.floor(Date.now() / 1000)) },
      },
      (res) => {
        res.on('error', () => resolve(false));
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300));
      },
    );
    // A connection reset counts as a failed callback (the platform would retry it), not as the end of the run.
    req.on('error', () => resolve(false));
    req.end(body);
  });
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
