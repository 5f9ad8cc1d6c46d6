import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TemplateSettings } from '../src/core/template.js';
import { bitrix24Of } from '../src/crm/bitrix24/index.js';
import { callByFilter } from '../src/crm/bitrix24/intake/startCalls.js';
import { updatePortalRateLimit, updatePortalSettings } from '../src/crm/bitrix24/portalSettings.js';
import { findIntake } from '../src/crm/bitrix24/store/intakes.js';
import { findPortalByMember } from '../src/crm/bitrix24/store/portals.js';
import { updateTemplate } from '../src/engine/catalog/templates.js';
import { pauseCampaign } from '../src/engine/campaigns/lifecycle.js';
import { createLogger } from '../src/log.js';
import { startDozvon, type RunningDozvon } from '../src/main.js';
import { listVersioned, TEMPLATES } from '../src/store/repositories/versioned.js';
import { databaseEnv, freshDatabaseUrl } from './support/database.js';
import { print, quick } from './support/server.js';
import { countStatements } from './support/statements.js';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal, type Workflow } from '../test/fakes/bitrix24/index.js';

/**
 * Bitrix24 adapter under load, against the emulator (C7). Figures, one per line:
 *
 * 1,000 robot runs on one portal (each: read the deal and its contact, one sandbox call to …0004
 * with its recording, the call record + recording + comment + fields on the deal, the return
 * values to the workflow, the app triggers fired for the deal):
 *   - requests made vs the minimum possible (every essential command packed 50 to a batch);
 *   - wall time vs the rate-limit floor (requests ÷ the bucket's drain rate);
 *   - timeline entries lost or doubled (must be 0).
 * 100,000 deals taken in by a filter: requests used vs the minimum (2,500 deals and 2,500 contacts
 * per request), time vs the rate-limit floor.
 *
 * The portal drains RATE requests a second: 2, a real portal's limit, unless `--quick` (or
 * `B24_RATE=20`) scales it up to keep the run to a couple of minutes. The floor's ratios are the
 * goal at the real limit (is the portal the bottleneck, or Dozvon?); against a scaled-up portal
 * they show how far the process is from keeping up with ten times that. Operating-time costs are
 * charged as at 20 req/s either way: unscaled, 1,000 recordings attached within ten minutes would
 * use up the method's operating time, and the emulator's block, not the rate, would set the pace.
 */
const RATE = Number(process.env.B24_RATE ?? (quick ? 20 : 2));
const BURST = 50;
// Operating-time costs as at 20 req/s, whatever RATE (see above).
const OPERATING_COST_SCALE = 1 / 10;


interface Setup {
  dozvon: RunningDozvon;
  emu: Bitrix24Emulator;
  portal: Portal;
  tenantId: string;
  dataDir: string;
}

async function setup(): Promise<Setup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-bench-b24-'));
  const clientId = `local.${crypto.randomBytes(7).toString('hex')}.${crypto.randomInt(10_000_000, 99_999_999)}`;
  const clientSecret = crypto.randomBytes(24).toString('hex');
  const env = {
    ...databaseEnv(await freshDatabaseUrl('bitrix24')),
    PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_TIME_SCALE: '0.01', SANDBOX_TTS: 'generated',
    B24_CLIENT_ID: clientId, B24_CLIENT_SECRET: clientSecret, CRM_ALLOW_HTTP: 'true',
  };
  const dozvon = await startDozvon(env, { log: createLogger('silent') });
  const emu = await startBitrix24Emulator({ app: { clientId, clientSecret, handlerUrl: `${dozvon.url}/bitrix24/app`, installUrl: `${dozvon.url}/bitrix24/install` } });
  const portal = await emu.createPortal({ rateLimit: { drainPerSecond: RATE, burst: BURST }, costScale: OPERATING_COST_SCALE });
  const page = await portal.installApp();
  if (page.page?.status !== 200) throw new Error(`install failed: ${page.page?.body}`);
  await portal.installFinish();
  await portal.flush();
  const tenantId = (await findPortalByMember(dozvon.app.db, portal.memberId))!.tenantId;
  const app = dozvon.app;
  await updatePortalRateLimit(bitrix24Of(app)!, tenantId, RATE, BURST);
  await updatePortalSettings(app, tenantId, { intensity: 50, maxConcurrent: 200 });
  await app.db.query(`UPDATE tenants SET settings = jsonb_set(settings, '{limits}', '{"maxConcurrentCalls": 200}'::jsonb) WHERE id = $1`, [tenantId]);
  for (const t of await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId)) {
    await updateTemplate(app, tenantId, null, t.id, { ...t.body, callingWindow: { from: '00:00', to: '23:59' } });
  }
  return { dozvon, emu, portal, tenantId, dataDir };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('bench: timed out waiting for the triggers');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function teardown(s: Setup): Promise<void> {
  await s.dozvon.stop();
  await s.emu.stop();
  fs.rmSync(s.dataDir, { recursive: true, force: true });
}

async function robotRuns(s: Setup, runs: number): Promise<void> {
  const { portal } = s;
  const code = portal.robots()[0]!.code;
  const deals = Array.from({ length: runs }, (_, i) =>
    portal.addDeal({ title: `Bench ${i}`, contactIds: [portal.addContact({ name: 'Anna', phones: [`+79${String(i).padStart(5, '0')}0004`] })] }),
  );
  portal.resetLimits();
  const since = portal.calls().at(-1)?.seq ?? 0;
  const statements = process.env.BENCH_DEBUG ? countStatements(s.dozvon.app.db) : undefined;
  const started = performance.now();
  const flows: Workflow[] = [];
  for (let i = 0; i < deals.length; i += 50) {
    flows.push(...(await Promise.all(deals.slice(i, i + 50).map((d) => portal.runRobot({ code, document: `DEAL_${d}`, properties: { max_attempts: '1' } })))));
  }
  const settled = await Promise.all(flows.map((wf) => wf.settled(600_000)));
  // The triggers follow the write-backs; the run is over when the last deal's have fired.
  await waitUntil(() => deals.every((d) => portal.triggerRuns().some((r) => r.ownerId === d && r.code === 'dozvon_interested')), 600_000);
  const seconds = (performance.now() - started) / 1000;

  const mine = portal.calls().filter((c) => c.seq > since);
  const requests = mine.filter((c) => c.batch === null).length;
  const commands = mine.filter((c) => c.method !== 'batch').length;
  // Essential commands of a run: deal.get, contact.items.get, contact.list; register, finish,
  // attachRecord, binding.add, comment.add, deal.update; event.send; three triggers (…0004 is
  // reached and interested: finished, reached, interested).
  const minimum = Math.ceil((runs * 13) / 50);
  let lost = 0;
  let doubled = 0;
  for (const d of deals) {
    const t = portal.timeline('deal', d);
    const n = Math.min(t.filter((e) => e.kind === 'comment').length, t.filter((e) => e.kind === 'activity').length);
    const m = Math.max(t.filter((e) => e.kind === 'comment').length, t.filter((e) => e.kind === 'activity').length);
    if (n === 0) lost++;
    if (m > 1) doubled++;
  }
  if (process.env.BENCH_DEBUG) printRequestMix(mine);
  if (process.env.BENCH_DEBUG) await printRecordingPipeline(s);
  // BENCH_DEBUG: the statements of a robot run, by their first words, with their wall time.
  for (const line of statements?.lines(runs, 40) ?? []) console.error(`# ${line.replace('×', '/run')}`);
  console.error(`# statements per run: ${((statements?.total() ?? 0) / runs).toFixed(1)}`);
  statements?.stop();
  print('b24_portal_rate_limit', RATE, 'req/s');
  print('b24_robot_runs', runs, 'runs');
  print('b24_robot_runs_completed', settled.filter((x) => x === 'completed').length, 'runs');
  print('b24_robot_requests', requests, 'requests');
  print('b24_robot_commands', commands, 'commands');
  print('b24_robot_requests_minimum', minimum, 'requests');
  print('b24_robot_requests_vs_minimum', requests / minimum, 'ratio');
  // Against what was really sent: workflow-log lines (bizproc.activity.log: one per call that does
  // not close its number, one for a run not called within a minute) are commands the minimum above
  // leaves out; this ratio is the packing alone.
  print('b24_robot_requests_vs_commands_packed', requests / Math.ceil(commands / 50), 'ratio');
  print('b24_robot_requests_per_run', requests / runs, 'requests');
  print('b24_robot_wall_time', seconds, 's');
  print('b24_robot_rate_floor', requests / RATE, 's');
  print('b24_robot_wall_vs_rate_floor', seconds / (requests / RATE), 'ratio');
  print('b24_robot_503_met', mine.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED').length, 'requests');
  print('b24_robot_timeline_lost', lost, 'deals');
  print('b24_robot_timeline_doubled', doubled, 'deals');
  print('b24_robot_triggers_fired', portal.triggerRuns().filter((r) => deals.includes(r.ownerId)).length, 'triggers');
}

/** BENCH_DEBUG: commands per method, and how full the requests were (the small ones listed). */
function printRequestMix(mine: ReturnType<Portal['calls']>): void {
  const per = new Map<string, number>();
  const inside = new Map<number, string[]>();
  for (const c of mine) {
    if (c.method === 'batch') continue;
    per.set(c.method, (per.get(c.method) ?? 0) + 1);
    if (c.batch) inside.set(c.batch.seq, [...(inside.get(c.batch.seq) ?? []), c.method]);
  }
  for (const [m, n] of [...per].sort((a, b) => b[1] - a[1])) console.error(`# ${m} ${n}`);
  const t0 = mine[0]?.at ?? 0;
  const hist = new Map<number, number>();
  for (const c of mine.filter((x) => x.batch === null)) {
    const methods = c.method === 'batch' ? (inside.get(c.seq) ?? []) : [c.method];
    const bucket = Math.ceil(methods.length / 10) * 10;
    hist.set(bucket, (hist.get(bucket) ?? 0) + 1);
    if (methods.length <= 10) console.error(`# small at ${((c.at - t0) / 1000).toFixed(1)} s: ${methods.join(' ')}`);
  }
  console.error(`# commands per request (up to): ${[...hist].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ')}`);
  // When the requests went: a portal kept busy sends RATE a second; a thin stretch is Dozvon's.
  const perTen = new Map<number, number>();
  for (const c of mine.filter((x) => x.batch === null)) {
    const k = Math.floor((c.at - t0) / 10_000);
    perTen.set(k, (perTen.get(k) ?? 0) + 1);
  }
  const last = Math.max(...perTen.keys(), 0);
  console.error(`# requests per 10 s from the first: ${Array.from({ length: last + 1 }, (_, i) => perTen.get(i) ?? 0).join(' ')}`);
}

/**
 * BENCH_DEBUG: how the recordings kept up with the calls — what the portal got linked (the MP3, or
 * the original when the write-back stopped waiting for it), the lags of the pipeline's two stages —
 * and how many times each outbox job ran (its waits and retries included).
 */
async function printRecordingPipeline(s: Setup): Promise<void> {
  const linked = new Map<string, number>();
  for (const c of s.portal.externalCalls()) {
    const ext = c.record?.name.split('.').pop() ?? 'none';
    linked.set(ext, (linked.get(ext) ?? 0) + 1);
  }
  console.error(`# recordings linked: ${[...linked].map(([ext, n]) => `${ext} ${n}`).join(', ')}`);
  const lag = await s.dozvon.app.db.query<{ stored: number[] | null; mp3: number[] | null }>(
    `SELECT percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM o.created_at - a.created_at)) AS stored,
            percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM m.created_at - o.created_at)) AS mp3
       FROM attempts a JOIN media o ON o.id = a.recording_id LEFT JOIN media m ON m.id = a.recording_mp3_id`,
  );
  const p = (v: number[] | null | undefined) => (v ?? []).map((x) => x.toFixed(1)).join(' / ');
  console.error(`# original stored after the attempt began (p10 / p50 / p90): ${p(lag.rows[0]?.stored)} s; its MP3 after that: ${p(lag.rows[0]?.mp3)} s`);
  const runs = await s.dozvon.app.db.query<{ kind: string; attempts: number; n: number }>('SELECT kind, attempts, count(*)::int AS n FROM outbox GROUP BY 1, 2 ORDER BY 1, 2');
  const byKind = new Map<string, string[]>();
  for (const r of runs.rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), `${r.n}×${r.attempts}`]);
  for (const [kind, counts] of byKind) console.error(`# ${kind}: jobs × runs ${counts.join(', ')}`);
  // When each kind of job was queued and done, in seconds from the first job (p10 / p50 / p90).
  const when = await s.dozvon.app.db.query<{ kind: string; queued: number[]; done: number[] }>(
    `WITH t0 AS (SELECT min(created_at) AS t FROM outbox)
     SELECT kind, percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - t0.t)) AS queued,
            percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - t0.t)) AS done
       FROM outbox, t0 GROUP BY kind ORDER BY kind`,
  );
  for (const r of when.rows) console.error(`# ${r.kind}: queued at ${p(r.queued)} s, done at ${p(r.done)} s`);
}

async function bulkIntake(s: Setup, count: number): Promise<void> {
  const { portal, dozvon, tenantId } = s;
  const app = dozvon.app;
  const stage = 'PREPAYMENT_INVOICE';
  const firstContact = portal.addContact({ name: 'C0', phones: ['+79100000000'] });
  for (let i = 1; i < count; i++) portal.addContact({ name: `C${i}`, phones: [`+791${String(i).padStart(8, '0')}`] });
  let k = 0;
  portal.seedDeals(count, () => ({ title: `Bulk ${k}`, stage, contactIds: [firstContact + k++] }));
  portal.resetLimits();
  const since = portal.calls().at(-1)?.seq ?? 0;
  const [template] = await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId);
  const started = performance.now();
  const { campaignId } = await callByFilter(bitrix24Of(app)!, tenantId, { templateId: template!.id, entity: 'deal', stageId: stage });
  // Only the intake is measured: the campaign must not call 100,000 numbers.
  await pauseCampaign(app, tenantId, campaignId, null);
  let intake = await findIntake(app.db, tenantId, campaignId);
  while (intake?.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    intake = await findIntake(app.db, tenantId, campaignId);
  }
  const seconds = (performance.now() - started) / 1000;
  const mine = portal.calls().filter((c) => c.seq > since);
  const requests = mine.filter((c) => c.batch === null).length;
  const minimum = Math.ceil(count / 2500) * 2; // deals, then their contacts
  print('b24_intake_deals', intake?.added ?? 0, 'deals');
  print('b24_intake_requests', requests, 'requests');
  print('b24_intake_requests_minimum', minimum, 'requests');
  print('b24_intake_requests_vs_minimum', requests / minimum, 'ratio');
  print('b24_intake_wall_time', seconds, 's');
  print('b24_intake_rate_floor', requests / RATE, 's');
  print('b24_intake_wall_vs_rate_floor', seconds / (requests / RATE), 'ratio');
  print('b24_intake_deals_per_sec', (intake?.added ?? 0) / seconds, 'deals/s');
  print('b24_intake_max_rows_scanned_per_command', Math.max(...mine.map((c) => c.scannedRows)), 'rows');
}

export async function benchBitrix24(o: { runs?: number; deals?: number } = {}): Promise<void> {
  const s = await setup();
  try {
    await robotRuns(s, o.runs ?? 1000);
    await bulkIntake(s, o.deals ?? 100_000);
  } finally {
    await teardown(s);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  await benchBitrix24({ runs: Number(process.env.RUNS ?? 1000), deals: Number(process.env.DEALS ?? 100_000) });
}
