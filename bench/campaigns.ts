import fs from 'node:fs';
import { Agent, fetch, FormData } from 'undici';
import type { Queryable } from '../src/store/db.js';
import { openDatabase } from '../src/store/openDatabase.js';
import { databaseEnv, freshDatabaseUrl, postgresCpuMs } from './support/database.js';
import { countStatements } from './support/statements.js';
import { machineBusyShare, machineCpu } from './support/machine.js';
import { apiClient, peakRssMb, percentile, print, processCpuMs, rssMb, setupAdmin, startDozvonProcess, tempDir, threadCpuMs, type DozvonProcess } from './support/server.js';

/**
 * The campaign engine's figures, measured on a Dozvon process started as a user starts it:
 * - achieved calls/s vs the set intensity over a long run, and the peak of simultaneous calls vs the cap;
 * - dispatcher overhead per claimed number (claim transaction time ÷ numbers claimed);
 * - a 1,000,000-number import: time, rows/s and the server's peak RSS;
 * - CSV import rows/s on a 100,000-row file.
 */
const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' };

/** Processes of one bench share the master key, as processes sharing a PostgreSQL must. */
const SHARED_SECRET = 'bench-secret-key-shared-by-every-process-0123456789';

function csv(rows: number, offset = 0): Buffer {
  const lines = ['phone;name'];
  for (let i = 0; i < rows; i++) lines.push(`+7916${String(10_000_000 + offset + i).slice(1)};Client ${i}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

// A 1,000,000-row import answers once it is done: minutes on a loaded machine, more than fetch's
// default five-minute wait for the response headers.
const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });

async function upload(url: string, token: string, campaignId: string, body: Buffer, name: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(body)]), name);
  const started = performance.now();
  const r = await fetch(`${url}/api/v1/campaigns/${campaignId}/numbers/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
    dispatcher: patient,
  });
  const report = (await r.json()) as { numbersAdded: number; rows: number };
  if (!r.ok) throw new Error(`import failed: ${r.status} ${JSON.stringify(report)}`);
  return { seconds: (performance.now() - started) / 1000, report };
}

/**
 * One campaign run for `seconds` on `processes` Dozvon processes sharing one database (more than
 * one needs PostgreSQL). Rate-bound (short calls, a generous cap) it measures the pace against the
 * intensity; cap-bound (`timeScale` making calls outlast cap ÷ intensity) it measures the peak of
 * simultaneous calls against a cap that is really reached. With `probeApi` it also asks
 * `GET /api/v1/campaigns/:id` back to back while the campaign runs and reports the p99 latency.
 * `suffix` names the figures.
 */
export async function benchPacing(
  o: { seconds: number; intensity: number; cap: number; timeScale?: number; suffix: string; processes?: number; probeApi?: boolean },
): Promise<void> {
  const { intensity, cap, seconds, suffix } = o;
  const count = o.processes ?? 1;
  const databaseUrl = await freshDatabaseUrl(`pacing${suffix}`);
  if (count > 1 && !databaseUrl) throw new Error('several processes share one campaign only on PostgreSQL: run `npm run bench -- pg pacing`');
  const dataDirs = Array.from({ length: count }, () => tempDir('pacing'));
  const env = {
    ...databaseEnv(databaseUrl),
    SECRET_KEY: SHARED_SECRET,
    SANDBOX_TIME_SCALE: String(o.timeScale ?? 0.01),
    SANDBOX_TTS: 'generated',
  };
  const servers: DozvonProcess[] = [];
  try {
    servers.push(await startDozvonProcess({ dataDir: dataDirs[0]!, env, compiled: true }));
    const first = servers[0]!;
    const token = await setupAdmin(first);
    const api = apiClient(first.url, token);
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Bench', scenarioId: scenarios.scenarios[0]!.id, callingWindow: { from: '00:00', to: '23:59' }, intensity });
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: 'Pacing',
      templateId: template.id,
      settings: { window: ALWAYS, maxConcurrent: cap, attempts: { initial: 1, max: 1 } },
    });
    await api('POST', `/campaigns/${campaign.id}/pause`);
    // More numbers than the run can call: the engine is never idle for lack of work.
    await upload(first.url, token, campaign.id, csv(Math.ceil(intensity * seconds * 1.5)), 'numbers.csv');
    for (const dataDir of dataDirs.slice(1)) servers.push(await startDozvonProcess({ dataDir, env, compiled: true }));
    await api('POST', `/campaigns/${campaign.id}/resume`);
    const threadsBefore = servers.map((x) => threadCpuMs(x.child.pid!));
    const machineBefore = machineCpu();
    const probe = o.probeApi ? apiWaitsMeanwhile(api, `/campaigns/${campaign.id}`, { everyMs: 20 }) : undefined;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const latencies = (await probe?.stop()) ?? [];
    const threadsAfter = servers.map((x) => threadCpuMs(x.child.pid!));
    const machineBusy = machineBusyShare(machineBefore);
    await api('POST', `/campaigns/${campaign.id}/pause`);
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of servers) await s.stop();
    const { db, close } = await openDatabase({ databaseUrl, dataDir: dataDirs[0]! });
    try {
      const starts = await db.query<{ n: string; first: Date; last: Date }>(
        'SELECT count(*) AS n, min(dialed_at) AS first, max(dialed_at) AS last FROM attempts WHERE campaign_id = $1 AND placed',
        [campaign.id],
      );
      const s = starts.rows[0]!;
      const achieved = (Number(s.n) - 1) / ((s.last.getTime() - s.first.getTime()) / 1000);
      const peak = await db.query<{ peak: string }>(
        `SELECT max(live) AS peak FROM (SELECT (SELECT count(*) FROM attempts b WHERE b.campaign_id = a.campaign_id AND b.placed
           AND b.dialed_at <= a.dialed_at AND b.ended_at > a.dialed_at) AS live FROM attempts a WHERE a.campaign_id = $1 AND a.placed) x`,
        [campaign.id],
      );
      const burst = await db.query<{ peak: string }>(
        `SELECT max(n) AS peak FROM (SELECT (SELECT count(*) FROM attempts b WHERE b.campaign_id = a.campaign_id AND b.placed
           AND b.dialed_at >= a.dialed_at AND b.dialed_at < a.dialed_at + interval '1 second') AS n FROM attempts a WHERE a.campaign_id = $1 AND a.placed) x`,
        [campaign.id],
      );
      if (process.env.BENCH_DEBUG) await printStartGaps(db, campaign.id, intensity);
      print(`pacing_achieved_vs_set${suffix}`, achieved / intensity, 'ratio');
      print(`pacing_max_starts_in_1s_vs_set${suffix}`, Number(burst.rows[0]!.peak) / intensity, 'ratio');
      print(`concurrency_peak_vs_cap${suffix}`, Number(peak.rows[0]!.peak) / cap, 'ratio');
      print(`pacing_calls_placed${suffix}`, Number(s.n), 'calls');
      // What a call costs the processes' event loops (on PGlite its statements too), and all their threads.
      const used = (pick: (t: ReturnType<typeof threadCpuMs>) => number) =>
        threadsAfter.reduce((sum, t, i) => sum + pick(t) - pick(threadsBefore[i]!), 0) / Math.max(1, Number(s.n));
      print(`pacing_main_thread_ms_per_call${suffix}`, Math.round(used((t) => t.main) * 100) / 100, 'ms');
      print(`pacing_process_cpu_ms_per_call${suffix}`, Math.round(used((t) => t.main + t.v8 + t.libuv + t.other) * 100) / 100, 'ms');
      // Near 1 either is the limit, not the pacer: one event loop (on PGlite, the database's too) or
      // the machine's cores, shared here with the sandbox, LAME and the PostgreSQL server.
      const mainBusy = threadsAfter.map((t, i) => (t.main - threadsBefore[i]!.main) / (seconds * 1000));
      print(`pacing_main_thread_busy_share${suffix}`, Math.round(Math.max(...mainBusy) * 1000) / 1000, 'ratio');
      print(`pacing_machine_busy_share${suffix}`, machineBusy, 'ratio');
      if (o.probeApi) {
        print('api_p99_ms_during_campaign', percentile(latencies, 99), 'ms');
        print('api_p50_ms_during_campaign', percentile(latencies, 50), 'ms');
      }
    } finally {
      await close();
    }
  } finally {
    for (const s of servers) await s.kill();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** BENCH_DEBUG: where the pace was lost — gaps between consecutive starts against the spacing. */
async function printStartGaps(db: Queryable, campaignId: string, intensity: number): Promise<void> {
  const r = await db.query<{ t: Date }>('SELECT dialed_at AS t FROM attempts WHERE campaign_id = $1 AND placed ORDER BY dialed_at', [campaignId]);
  const spacing = 1000 / intensity;
  const gaps = r.rows.slice(1).map((x, i) => x.t.getTime() - r.rows[i]!.t.getTime());
  const lost = gaps.reduce((sum, g) => sum + Math.max(0, g - spacing), 0);
  const over = (k: number) => gaps.filter((g) => g > k * spacing).length;
  process.stderr.write(
    `starts ${r.rows.length}; gaps p50 ${percentile(gaps, 50)} p90 ${percentile(gaps, 90)} p99 ${percentile(gaps, 99)} max ${Math.max(...gaps)} ms; ` +
      `over 1.1× spacing: ${over(1.1)}, over 2×: ${over(2)}; time lost beyond the spacing ${Math.round(lost)} ms of ${Math.round(gaps.reduce((a, b) => a + b, 0))}\n`,
  );
}

export async function benchImportAndDispatch(o: { rows?: number } = {}): Promise<void> {
  const rows = o.rows ?? 1_000_000;
  const dataDir = tempDir('import');
  const databaseUrl = await freshDatabaseUrl('import');
  // Workers off: the import is measured alone, and the dispatcher is measured by hand below.
  // Compiled, as `npm start` runs it.
  const options = { dataDir, compiled: true, env: { ...databaseEnv(databaseUrl), WORKERS: 'false', UPLOAD_LIMIT_MB: '64', SANDBOX_TTS: 'generated' } };
  // The first start creates the database (on PGlite, initdb inside WebAssembly: a one-off peak of
  // its own, printed apart); the campaign is then imported by a restarted server, as it would
  // be by a server that has run for a while.
  const first = await startDozvonProcess(options);
  let token: string;
  try {
    token = await setupAdmin(first);
    print('server_peak_rss_first_start', peakRssMb(first.child.pid!), 'MB');
  } finally {
    await first.stop();
  }
  const server = await startDozvonProcess(options);
  try {
    const api = apiClient(server.url, token);
    print('server_rss_after_restart', rssMb(server.child.pid!), 'MB');
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Import', scenarioId: scenarios.scenarios[0]!.id, callingWindow: { from: '00:00', to: '23:59' } });
    const small = await api<{ id: string }>('POST', '/campaigns', { name: 'CSV 100k', templateId: template.id, settings: { window: ALWAYS } });
    // Another campaign's page, empty: the read itself costs next to nothing, what it waits for is measured.
    const idle = await api<{ id: string }>('POST', '/campaigns', { name: 'Idle', templateId: template.id, settings: { window: ALWAYS } });
    const waits = apiWaitsMeanwhile(api, `/campaigns/${idle.id}`, { everyMs: 200, firstAfterMs: 200 });
    const s = await upload(server.url, token, small.id, csv(100_000), 'clients.csv');
    const waited = await waits.stop();
    print('csv_import_100k_rows_per_sec', Math.round(s.report.rows / s.seconds), 'rows/s');
    // On PGlite a transaction holds the only database session: an import stored in one made every
    // other statement (the API, callbacks, the dispatcher) wait for its end; now only for a batch.
    print('api_longest_wait_ms_during_import_100k', Math.round(Math.max(0, ...waited)), 'ms');

    const big = await api<{ id: string }>('POST', '/campaigns', { name: 'One million', templateId: template.id, settings: { window: ALWAYS } });
    const rssBefore = peakRssMb(server.child.pid!);
    const cpuBefore = processCpuMs(server.child.pid!);
    const dbCpuBefore = postgresCpuMs();
    const b = await upload(server.url, token, big.id, csv(rows, 1_000_000), 'million.csv');
    const cpu = processCpuMs(server.child.pid!) - cpuBefore;
    print('import_1m_numbers_seconds', Math.round(b.seconds * 10) / 10, 's');
    print('import_rows_per_sec', Math.round(b.report.rows / b.seconds), 'rows/s');
    // Rows per second of the server's own CPU: what the import would reach with a core to itself.
    print('import_rows_per_cpu_sec', Math.round(b.report.rows / (cpu / 1000)), 'rows/s');
    // On PostgreSQL on this machine: the server's backends' CPU per row, which shares the two cores.
    if (dbCpuBefore !== undefined) print('import_db_server_cpu_per_1000_rows', Math.round((((postgresCpuMs() ?? dbCpuBefore) - dbCpuBefore) / b.report.rows) * 1000), 'ms');
    print('import_1m_numbers_added', b.report.numbersAdded, 'numbers');
    print('server_peak_rss_before_import', rssBefore, 'MB');
    print('server_peak_rss_with_1m_campaign', peakRssMb(server.child.pid!), 'MB');
  } finally {
    await server.stop();
  }
  await benchClaimOverhead(dataDir, databaseUrl);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/**
 * `GET path` one at a time, `everyMs` after each answer, from `firstAfterMs` on until `stop()`:
 * how long each answer took.
 */
function apiWaitsMeanwhile(api: ReturnType<typeof apiClient>, path: string, o: { everyMs: number; firstAfterMs?: number }): { stop(): Promise<number[]> } {
  const took: number[] = [];
  let running = true;
  const loop = (async () => {
    await new Promise((r) => setTimeout(r, o.firstAfterMs ?? 0));
    while (running) {
      const t = performance.now();
      await api('GET', path);
      took.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, o.everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return took;
    },
  };
}

/** A CPU profile of this process from now until `stopInto` (node:inspector; no restart with --cpu-prof). */
async function startProfile(): Promise<{ stopInto(dir: string, name: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stopInto(dir, name) {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(`${dir}/${name}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const perClaim = (ms: number, claimed: number) => Math.round((ms / Math.max(1, claimed)) * 100) / 100;

/**
 * 40 ticks at the dispatcher's own interval (200 ms), as in production: the numbers claimed, the
 * CPU time of this process (the dispatcher, and the embedded database when on PGlite) plus the
 * PostgreSQL server's backends when they run on this machine (`serverMs`, also inside `ms`).
 */
async function tickWindow(d: { tick(): Promise<number> }): Promise<{ claimed: number; ms: number; serverMs: number; mainMs: number }> {
  const dbCpu = postgresCpuMs();
  const threads = threadCpuMs(process.pid);
  const cpu = process.cpuUsage();
  let claimed = 0;
  for (let i = 0; i < 40; i++) {
    claimed += await d.tick();
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 500));
  const used = process.cpuUsage(cpu);
  const serverMs = dbCpu === undefined ? 0 : (postgresCpuMs() ?? dbCpu) - dbCpu;
  return { claimed, ms: (used.user + used.system) / 1000 + serverMs, serverMs, mainMs: threadCpuMs(process.pid).main - threads.main };
}

/**
 * What one of a start's own writes costs (the attempt marked placed, by primary key), run back to
 * back and then 20 ms apart — the spacing of a 50/s campaign's starts: the median time from
 * sending the statement to its answer, in a process otherwise at rest (the dispatcher stopped, no
 * workers). On a shared virtual machine the second is several times the first: the database's code
 * and data leave the CPU's caches between two starts (the same with a busy-wait in between, so not
 * the idle core waking up).
 */
async function spacedStatementPrice(db: Queryable): Promise<void> {
  const ids = (await db.query<{ id: string }>(`SELECT id FROM attempts ORDER BY created_at DESC LIMIT 300`)).rows.map((r) => r.id);
  const run = async (gapMs: number) => {
    const took: number[] = [];
    for (const id of ids) {
      const t = performance.now();
      await db.query(`UPDATE attempts SET dialed_at = $2 WHERE id = $1`, [id, new Date()]);
      took.push((performance.now() - t) * 1000);
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    }
    return percentile(took, 50);
  };
  await run(0);
  const together = await run(0);
  const spaced = await run(20);
  print('dispatcher_update_us_back_to_back', Math.round(together), 'us');
  print('dispatcher_update_us_20ms_apart', Math.round(spaced), 'us');
  print('dispatcher_update_20ms_apart_vs_back_to_back', Math.round((spaced / together) * 100) / 100, 'ratio');
}

/** Claims due numbers of the 1,000,000-number campaign the way the dispatcher does, and times it. */
async function benchClaimOverhead(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const { startDozvon } = await import('../src/main.js');
  const { startDispatcher } = await import('../src/engine/campaigns/dispatcher.js');
  const { createLogger } = await import('../src/log.js');
  const running = await startDozvon(
    { ...process.env, ...databaseEnv(databaseUrl), DATA_DIR: dataDir, PORT: '0', WORKERS: 'false', LOG_LEVEL: 'silent', SANDBOX_TTS: 'generated' },
    { log: createLogger('silent') },
  );
  try {
    const app = running.app;
    // A platform that accepts instantly and never calls back: only the dispatcher's own work is timed.
    let n = 0;
    const { withPlatformOverride } = await import('../src/voice/registry.js');
    const d = startDispatcher({ ...app, voice: withPlatformOverride(app.voice, { placeCall: async () => ({ providerCallId: `bench-${n++}` }) }) }, { autoStart: false });
    await app.db.query(`UPDATE campaigns SET settings = jsonb_set(jsonb_set(settings, '{maxConcurrent}', '100000'), '{intensity}', '50') WHERE name = 'One million'`);
    // Calls never end here, so lift the account's line limit (100 by default) out of the way.
    await app.db.query(`UPDATE tenants SET settings = jsonb_set(settings, '{limits}', '{"maxConcurrentCalls": 10000, "minuteBudget": null}')`);
    // What the same window costs with no tick (the started app's timers, the database at rest, GC):
    // subtracted below, so that the figure is the claims' own cost.
    const idleDb = postgresCpuMs();
    const idle = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 40 * 200 + 500));
    const idleUsed = process.cpuUsage(idle);
    const idleMs = (idleUsed.user + idleUsed.system) / 1000 + (idleDb === undefined ? 0 : (postgresCpuMs() ?? idleDb) - idleDb);
    const profiler = process.env.BENCH_PROF ? await startProfile() : undefined;
    const statements = process.env.BENCH_DEBUG ? countStatements(app.db) : undefined;
    const { claimed, serverMs, ms, mainMs } = await tickWindow(d);
    if (profiler) await profiler.stopInto(process.env.BENCH_PROF!, 'dispatcher');
    statements?.stop();
    // BENCH_DEBUG: statements per claimed number, by their first words, with their wall time.
    for (const line of statements?.lines(claimed) ?? []) console.error(`# ${line.replace('×', '/claim')}`);
    print('dispatcher_cpu_per_claimed_number', perClaim(ms, claimed), 'ms');
    print('dispatcher_cpu_per_claimed_number_net_of_idle', perClaim(ms - idleMs, claimed), 'ms');
    print('dispatcher_idle_cpu_same_window', Math.round(idleMs), 'ms');
    if (databaseUrl) print('dispatcher_db_server_cpu_per_claimed_number', perClaim(serverMs, claimed), 'ms');
    // The event loop's share (on PGlite the statements too): what one process's thread can give.
    print('dispatcher_main_thread_cpu_per_claimed_number', perClaim(mainMs, claimed), 'ms');
    print('dispatcher_claimed_numbers', claimed, 'numbers');
    // The same 40 ticks again, the process warm: the first window also pays for compiling what the
    // claims run (V8 optimising our code, tiering up PGlite's WebAssembly), once per process.
    const warm = await tickWindow(d);
    print('dispatcher_cpu_per_claimed_number_warm', perClaim(warm.ms, warm.claimed), 'ms');
    print('dispatcher_main_thread_cpu_per_claimed_number_warm', perClaim(warm.mainMs, warm.claimed), 'ms');
    await d.stop();
    await spacedStatementPrice(app.db);
  } finally {
    await running.stop();
  }
}
