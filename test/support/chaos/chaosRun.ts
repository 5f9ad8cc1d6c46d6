import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { startBitrix24Emulator, type Portal, type Workflow } from '../../fakes/bitrix24/index.js';
import { startDozvonProcess, tempDir, type DozvonProcess } from '../dozvonProcess.js';
import { startBalancer } from './balancer.js';

/**
 * The chaos run (issue 8 §4): robot-started campaigns with Bitrix24 write-back on several Dozvon
 * processes sharing one PostgreSQL, behind a load balancer, while
 *   - a process is SIGKILLed every `killEveryMs` (and started again at once),
 *   - the portal answers 10 % of REST requests with a 5xx and refuses whole bursts with 503/429,
 *   - every voice callback is delivered three times (SANDBOX_CALLBACK_COPIES=3).
 * Then it counts what the portal got against what Dozvon placed: writes lost, writes doubled,
 * calls doubled — all must be zero.
 */
export interface ChaosOptions {
  /** An empty PostgreSQL database for this run. */
  databaseUrl: string;
  processes?: number;
  deals?: number;
  killEveryMs?: number;
  /** Stop waiting for the work to finish after this long (a guard, not a measurement). */
  deadlineMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** The run does not end before this many kills, however fast the work is done (default 1). */
  minKills?: number;
}

export interface ChaosResult {
  writesLost: number;
  writesDoubled: number;
  callsDoubled: number;
  kills: number;
  attempts: number;
  workflows: number;
  portalErrors: number;
  portalRefusals: number;
  seconds: number;
  /** What exactly was lost or doubled, for the report. */
  problems: string[];
}

// Outcomes that exercise every write: answered (recording, result), busy (redialled once), machine, no answer.
const MAGIC = ['0004', '0001', '0003', '0002', '0007'];

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const clientId = `local.${crypto.randomBytes(7).toString('hex')}.${crypto.randomInt(10_000_000, 99_999_999)}`;
  const clientSecret = crypto.randomBytes(24).toString('hex');
  const lb = await startBalancer();
  const emu = await startBitrix24Emulator({ app: { clientId, clientSecret, handlerUrl: `${lb.url}/bitrix24/app`, installUrl: `${lb.url}/bitrix24/install` } });
  const env = {
    DATABASE_URL: o.databaseUrl,
    SECRET_KEY: 'chaos-run-secret-key-0123456789abcdef0123',
    PUBLIC_URL: lb.url,
    B24_CLIENT_ID: clientId,
    B24_CLIENT_SECRET: clientSecret,
    CRM_ALLOW_HTTP: 'true',
    SANDBOX_TIME_SCALE: '0.05',
    SANDBOX_TTS: 'generated',
    SANDBOX_CALLBACK_COPIES: '3',
    // A killed process's calls and writes are taken over quickly.
    DIAL_LEASE_SEC: '10',
    OUTBOX_LEASE_SEC: '15',
    DATABASE_POOL_SIZE: '8',
    LOG_LEVEL: 'warn',
  };
  // One data directory for all, as a deployment shares one volume: recordings stored by one
  // process are served by whichever answers the portal's download.
  const dataDir = tempDir('chaos');
  const procs: DozvonProcess[] = [];
  const restarts = new Set<Promise<unknown>>();
  const db = new pg.Pool({ connectionString: o.databaseUrl, max: 2 });
  db.on('error', () => undefined); // the harness's own pool: a dropped connection is replaced on the next query
  let kills = 0;
  let killer: NodeJS.Timeout | undefined;
  const start = async () => {
    const p = await startDozvonProcess({ dataDir, env, timeoutMs: 120_000 });
    procs.push(p);
    lb.setBackends(procs.map((x) => x.url));
    return p;
  };
  try {
    // One process first (it migrates the database), then the others.
    await start();
    for (let i = 1; i < (o.processes ?? 3); i++) await start();
    log(`${procs.length} processes up`);

    const portal = await emu.createPortal();
    const installed = await portal.installApp();
    if (installed.page?.status !== 200) throw new Error(`install page: ${installed.page?.status} ${installed.page?.body.slice(0, 500)}`);
    await portal.installFinish();
    await portal.flush();
    const tenantId = (await db.query<{ tenant_id: string }>('SELECT tenant_id FROM b24_portals WHERE member_id = $1', [portal.memberId])).rows[0]?.tenant_id;
    if (!tenantId) throw new Error('the portal was not installed');
    await until(() => portal.robots().length > 0, 'the robot to be registered', 60_000);
    const code = portal.robots()[0]!.code;
    // Around the clock, a busy number called again at once, a brisk pace.
    await db.query(
      `UPDATE template_versions v SET settings = v.settings || $2::jsonb FROM templates t
       WHERE v.template_id = t.id AND v.version = t.current_version AND t.tenant_id = $1`,
      [tenantId, JSON.stringify({ callingWindow: { from: '00:00', to: '23:59' }, redial: { mode: 'inline', rules: { busy: { delayMinutes: 0, from: 'start', maxCount: 1 } } } })],
    );
    await db.query(`UPDATE tenants SET settings = jsonb_set(settings, '{bitrix24}', $2::jsonb) WHERE id = $1`, [tenantId, JSON.stringify({ maxConcurrent: 20, intensity: 10 })]);

    // The portal's bad day starts, and so do the kills.
    portal.setChaos({ errorRate: 0.1, bursts: { everyMs: 15_000, lengthMs: 1_500 }, seed: 7 });
    killer = setInterval(() => {
      // One process always lives: a restart can take longer than the kill interval on a loaded
      // machine, and a deployment with every process down is an outage, not this scenario.
      if (procs.length <= 1) return;
      const victim = procs[Math.floor(Math.random() * procs.length)];
      if (!victim) return;
      kills++;
      procs.splice(procs.indexOf(victim), 1);
      lb.setBackends(procs.map((x) => x.url));
      const restart = victim
        .kill()
        .then(() => start())
        .catch((e: unknown) => log(`restart failed: ${(e as Error).message}`))
        .finally(() => restarts.delete(restart));
      restarts.add(restart);
    }, o.killEveryMs ?? 10_000);

    const workflows: Workflow[] = [];
    for (let i = 0; i < (o.deals ?? 40); i++) {
      const phone = `+7 901 ${String(100 + i).padStart(3, '0')}-${MAGIC[i % MAGIC.length]!.slice(0, 2)}-${MAGIC[i % MAGIC.length]!.slice(2)}`;
      const contact = portal.addContact({ name: 'Chaos', lastName: `N${i}`, phones: [phone] });
      const deal = portal.addDeal({ title: `Chaos ${i}`, contactIds: [contact], assignedById: 1 });
      // A robot call that hit a dying process is sent again, as the admin would re-run the robot.
      for (let tries = 0; tries < 30; tries++) {
        const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '2' }, timeoutDuration: 0 });
        if (wf.delivery?.status === 200) {
          workflows.push(wf);
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    log(`${workflows.length} robot runs delivered`);

    const deadline = Date.now() + (o.deadlineMs ?? 15 * 60_000);
    for (;;) {
      const waiting = workflows.filter((w) => w.status === 'waiting').length;
      const pending = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`)).rows[0]!.n);
      const open = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_numbers WHERE status IN ('new', 'callback', 'dialing')`)).rows[0]!.n);
      log(`waiting workflows ${waiting}, pending writes ${pending}, open numbers ${open}, kills ${kills}`);
      if (pending > 0 && pending <= 3) {
        const jobs = await db.query<{ kind: string; attempts: number; next_attempt_at: Date; locked_until: Date | null; last_error: string | null }>(
          `SELECT kind, attempts, next_attempt_at, locked_until, last_error FROM outbox WHERE status = 'pending'`,
        );
        for (const j of jobs.rows) log(`  pending ${j.kind} attempts ${j.attempts} next ${j.next_attempt_at.toISOString()} locked ${j.locked_until?.toISOString() ?? '-'}: ${j.last_error ?? ''}`);
      }
      if (waiting === 0 && pending === 0 && open === 0 && kills >= (o.minKills ?? 1)) break;
      if (Date.now() > deadline) {
        log('deadline reached: counting what is there');
        break;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    clearInterval(killer);
    killer = undefined;
    const counted = await count(db, portal, workflows, tenantId);
    const chaos = portal.chaosStats();
    return { ...counted, kills, workflows: workflows.length, portalErrors: chaos?.errors ?? 0, portalRefusals: chaos?.refused ?? 0, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    if (killer) clearInterval(killer);
    await Promise.all([...restarts]);
    for (const p of procs.splice(0)) await p.kill();
    await db.end();
    await emu.stop();
    await lb.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What Dozvon placed, against what the portal holds. */
async function count(db: pg.Pool, portal: Portal, workflows: Workflow[], tenantId: string): Promise<Omit<ChaosResult, 'kills' | 'workflows' | 'portalErrors' | 'portalRefusals' | 'seconds'>> {
  const problems: string[] = [];
  let lost = 0;
  let doubled = 0;

  // Calls: one platform call per attempt of a number, never two.
  const twice = await db.query<{ number_id: string; attempt_no: number; n: string }>(
    `SELECT number_id, attempt_no, count(*) AS n FROM attempts WHERE tenant_id = $1 AND placed GROUP BY number_id, attempt_no HAVING count(*) > 1`,
    [tenantId],
  );
  const sameCall = await db.query<{ n: string }>(
    `SELECT count(*) - count(DISTINCT provider_call_id) AS n FROM attempts WHERE tenant_id = $1 AND placed AND provider_call_id IS NOT NULL`,
    [tenantId],
  );
  const callsDoubled = twice.rows.reduce((s, r) => s + Number(r.n) - 1, 0) + Number(sameCall.rows[0]!.n);
  for (const r of twice.rows) problems.push(`number ${r.number_id} attempt ${r.attempt_no} placed ${r.n} times`);

  // Each placed attempt: its call record (registered once, finished) and one timeline comment.
  const attempts = await db.query<{ id: string; deal: string; recording_id: string | null }>(
    `SELECT a.id, c.crm->>'document' AS deal, a.recording_id FROM attempts a JOIN campaign_contacts c ON c.id = a.contact_id
     WHERE a.tenant_id = $1 AND a.placed AND a.status = 'completed'`,
    [tenantId],
  );
  const calls = portal.externalCalls();
  const commentsPerDeal = new Map<string, number>();
  for (const a of attempts.rows) {
    const mine = calls.filter((c) => c.externalCallId === `dozvon-${a.id}`);
    if (mine.length === 0) {
      lost++;
      problems.push(`attempt ${a.id}: no call record`);
    } else if (mine.length > 1) {
      doubled += mine.length - 1;
      problems.push(`attempt ${a.id}: ${mine.length} call records`);
    }
    if (mine.length && !mine.some((c) => c.finished)) {
      lost++;
      problems.push(`attempt ${a.id}: call record never finished`);
    }
    if (mine.length && a.recording_id && !mine.some((c) => c.record)) {
      lost++;
      problems.push(`attempt ${a.id}: recording never attached`);
    }
    commentsPerDeal.set(a.deal, (commentsPerDeal.get(a.deal) ?? 0) + 1);
  }
  for (const [doc, expected] of commentsPerDeal) {
    const id = Number(/DEAL_(\d+)/.exec(doc)?.[1]);
    const comments = portal.timeline('deal', id).filter((e) => e.kind === 'comment') as { comment: string }[];
    const distinct = new Set(comments.map((c) => c.comment));
    if (comments.length > distinct.size) {
      doubled += comments.length - distinct.size;
      problems.push(`${doc}: ${comments.length - distinct.size} comment(s) written twice`);
    }
    if (distinct.size < expected) {
      lost += expected - distinct.size;
      problems.push(`${doc}: ${expected - distinct.size} comment(s) missing`);
    }
  }

  // Robot runs: each workflow got its return values exactly once.
  const sends = portal.calls('bizproc.event.send').filter((c) => c.status === 200 && !c.error);
  for (const wf of workflows) {
    const mine = sends.filter((c) => c.params.EVENT_TOKEN === wf.eventToken || c.params.event_token === wf.eventToken);
    if (wf.status !== 'completed' || mine.length === 0) {
      lost++;
      problems.push(`workflow ${wf.id}: ${wf.status}, return values never arrived`);
    } else if (mine.length > 1) {
      doubled += mine.length - 1;
      problems.push(`workflow ${wf.id}: return values sent ${mine.length} times`);
    }
    const lines = wf.logs;
    if (new Set(lines).size < lines.length) {
      doubled += lines.length - new Set(lines).size;
      problems.push(`workflow ${wf.id}: a log line written twice`);
    }
  }
  const dead = await db.query<{ kind: string; last_error: string }>(`SELECT kind, last_error FROM outbox WHERE channel = 'bitrix24' AND status = 'dead'`);
  for (const d of dead.rows) problems.push(`dead write ${d.kind}: ${d.last_error}`);
  return { writesLost: lost, writesDoubled: doubled, callsDoubled, attempts: attempts.rows.length, problems };
}
