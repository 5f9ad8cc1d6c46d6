import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { AppContext } from '../../context.js';
import { analyzeCampaignTables } from '../campaigns/analyze.js';
import { recoverExpiredLeases } from '../campaigns/recoverLeases.js';
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

export interface ScheduledJobs {
  scheduleCampaignStart(campaignId: string, at: Date): Promise<void>;
  stop(): Promise<void>;
}

export async function startScheduledJobs(app: AppContext): Promise<ScheduledJobs> {
  const agenda = new Agenda({
    backend: new PostgresBackend({ pool: app.db as unknown as pg.Pool, ensureSchema: false }),
    name: app.workerId,
    processEvery: '2 seconds',
    // Short locks: a process killed mid-job must not keep a recurring job (lease recovery!) locked
    // for long. Every job here finishes in seconds.
    defaultLockLifetime: 20_000,
  });
  agenda.on('error', (e: unknown) => app.log.error({ err: (e as Error).message }, 'scheduled jobs: error'));
  agenda.define(JOBS.campaignStart, async (job) => {
    const { campaignId } = job.attrs.data as { campaignId: string };
    await startScheduledCampaign(app, campaignId);
  });
  agenda.define(JOBS.recoverLeases, async () => {
    await recoverExpiredLeases(app);
    // Catch-up for scheduled starts whose job was missed while no process was running.
    await startDueScheduledCampaigns(app);
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
  agenda.define(JOBS.authSweep, async () => {
    // Counters expired an hour ago and sessions ended or expired a day ago are of no use any more.
    await sweepRateLimits(app.db, Date.now());
    await deleteOldSessions(app.db, new Date(Date.now() - 86_400_000));
  });
  await agenda.start();
  // A restart after a crash should not wait for the first occurrence to recover leases.
  void recoverExpiredLeases(app).catch((e: unknown) => app.log.error({ err: (e as Error).message }, 'lease recovery at start failed'));
  // Check at least as often as a lease lasts, so a crashed worker's numbers wait at most ~2 leases.
  await agenda.every(`${Math.max(2, Math.min(30, app.config.dialLeaseSec))} seconds`, JOBS.recoverLeases);
  await agenda.every('1 minute', JOBS.replanMissed);
  await agenda.every('1 minute', JOBS.recordings);
  await agenda.every('15 minutes', JOBS.analyze);
  await agenda.every('30 minutes', JOBS.authSweep);
  return {
    async scheduleCampaignStart(campaignId, at) {
      await agenda.schedule(at, JOBS.campaignStart, { campaignId });
    },
    async stop() {
      await agenda.stop();
    },
  };
}
