import { Agenda } from 'agenda';
import { PostgresBackend, PostgresNotificationChannel } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { AppContext } from '../../context.js';
import { Outage } from '../../store/outage.js';
import { isDatabaseUnavailable } from '../../store/unavailable.js';
import { analyzeCampaignTables } from '../campaigns/analyze.js';
import { recoverExpiredLeases } from '../campaigns/recoverLeases.js';
import { discardStaleImports } from '../campaigns/unfinishedImports.js';
import { replanMissedWindows } from '../campaigns/replan.js';
import { startDueScheduledCampaigns, startScheduledCampaign } from '../campaigns/startScheduled.js';
import { sweepRecordings } from '../recordingSweeper.js';
import { sweepCancelledCalls } from '../campaigns/hangUpCancelled.js';
import { deleteOldSessions } from '../../store/repositories/sessions.js';
import { sweepRateLimits } from '../auth/throttle.js';

/**
 * Work that is scheduled rather than hot, on agenda with its PostgreSQL backend (LISTEN/NOTIFY;
 * locks so one process runs each occurrence): a campaign's scheduled start, recovering leases of
 * crashed workers, re-planning numbers whose window closed, fetching recordings that failed.
 * The table comes from our migrations (0003_agenda.sql), not from the library at run time.
 */
export const JOBS = {
  campaignStart: 'campaign:start',
  recoverLeases: 'numbers:recoverLeases',
  replanMissed: 'numbers:replanMissed',
  recordings: 'recordings:sweep',
  analyze: 'db:analyze',
  authSweep: 'auth:sweep',
} as const;

/**
 * agenda's LISTEN/NOTIFY channel, built here rather than by the backend so that (1) its 'error' is
 * heard — the backend's own channel emits it to nobody when the server restarts, ending the
 * process — and (2) it reconnects every few seconds for as long as an outage lasts. Jobs are also
 * found by polling (`processEvery`), so a channel that is down only delays them.
 */
function listenChannel(pool: pg.Pool, outage: Outage): PostgresNotificationChannel {
  const channel = new PostgresNotificationChannel({ reconnect: { enabled: true, initialDelayMs: 2_000, maxDelayMs: 10_000, maxAttempts: Number.MAX_SAFE_INTEGER } });
  channel.setPool(pool);
  channel.on('error', (e: unknown) => void outage.failed(e));
  channel.on('stateChange', (state: string) => {
    if (state === 'connected') outage.ok();
  });
  return channel;
}

/**
 * Recurring jobs already registered as agenda's `every` would leave them: name → interval. For such a
 * job `every` changes nothing (its upsert keeps a due next run), yet costs an upsert and a NOTIFY;
 * at a restart on PGlite the first of them paid ~60 ms of catalog lookups while /health waited.
 */
async function registeredRecurring(pool: pg.Pool): Promise<Map<string, string>> {
  const r = await pool.query<{ name: string; repeat_interval: string }>(
    `SELECT name, repeat_interval FROM agenda_jobs
      WHERE type = 'single' AND NOT disabled AND repeat_timezone IS NULL AND repeat_at IS NULL AND next_run_at IS NOT NULL
        AND start_date IS NULL AND end_date IS NULL AND skip_days IS NULL`,
  );
  return new Map(r.rows.map((x) => [x.name, x.repeat_interval]));
}

export interface ScheduledJobs {
  scheduleCampaignStart(campaignId: string, at: Date): Promise<void>;
  stop(): Promise<void>;
}

/** A recurring job an adapter brings (its token keep-alive, retries of its own). */
export interface ExtraJob {
  name: string;
  /** agenda's interval, e.g. '5 minutes'. */
  every: string;
  run(): Promise<void>;
}

export async function startScheduledJobs(app: AppContext, extra: readonly ExtraJob[] = []): Promise<ScheduledJobs> {
  const log = app.log.child({ component: 'scheduled-jobs' });
  // agenda polls every 2 s and says 'error' each time the database is away: one line per outage.
  const outage = new Outage(log, 'scheduled jobs');
  const pool = app.db as unknown as pg.Pool;
  const agenda = new Agenda({
    backend: new PostgresBackend({ pool, ensureSchema: false, disableNotifications: true }),
    notificationChannel: listenChannel(pool, outage),
    name: app.workerId,
    processEvery: '2 seconds',
    // Short locks: a process killed mid-job must not keep a recurring job (lease recovery!) locked
    // for long. Every job here finishes in seconds.
    defaultLockLifetime: 20_000,
  });
  agenda.on('error', (e: unknown) => void outage.failed(e));
  agenda.on('success', () => outage.ok());
  agenda.on('fail', (e: unknown, job: { attrs: { name: string } }) => {
    if (!isDatabaseUnavailable(e)) log.error({ err: e, job: job.attrs.name }, 'scheduled jobs: a job failed');
  });
  agenda.define(JOBS.campaignStart, async (job) => {
    const { campaignId } = job.attrs.data as { campaignId: string };
    await startScheduledCampaign(app, campaignId);
  });
  agenda.define(JOBS.recoverLeases, async () => {
    await recoverExpiredLeases(app);
    // Catch-up for scheduled starts whose job was missed while no process was running.
    await startDueScheduledCampaigns(app);
    // What an import that died half-way stored (its campaign dials nothing until it is gone).
    await discardStaleImports(app);
  });
  agenda.define(JOBS.replanMissed, async () => {
    await replanMissedWindows(app);
  });
  agenda.define(JOBS.recordings, async () => {
    await sweepRecordings(app);
    await sweepCancelledCalls(app);
  });
  agenda.define(JOBS.analyze, async () => {
    await analyzeCampaignTables(app.db);
  });
  for (const j of extra) agenda.define(j.name, () => j.run());
  agenda.define(JOBS.authSweep, async () => {
    // Counters expired an hour ago and sessions ended or expired a day ago are of no use any more.
    await sweepRateLimits(app.db, Date.now());
    await deleteOldSessions(app.db, new Date(Date.now() - 86_400_000));
  });
  // Read before agenda starts, so its own start-up statements do not queue this one behind them.
  const registered = await registeredRecurring(pool);
  const every = async (interval: string, name: string) => {
    if (registered.get(name) === interval) return;
    await agenda.every(interval, name);
  };
  await agenda.start();
  // A restart after a crash should not wait for the first occurrence to recover leases.
  void recoverExpiredLeases(app).catch((e: unknown) => log.error({ err: e }, 'lease recovery at start failed; the recurring job retries'));
  // Check at least as often as a lease lasts, so a crashed worker's numbers wait at most ~2 leases.
  await every(`${Math.max(2, Math.min(30, app.config.dialLeaseSec))} seconds`, JOBS.recoverLeases);
  await every('1 minute', JOBS.replanMissed);
  await every('1 minute', JOBS.recordings);
  await every('15 minutes', JOBS.analyze);
  for (const j of extra) await every(j.every, j.name);
  await every('30 minutes', JOBS.authSweep);
  return {
    async scheduleCampaignStart(campaignId, at) {
      await agenda.schedule(at, JOBS.campaignStart, { campaignId });
    },
    async stop() {
      await agenda.stop();
    },
  };
}
