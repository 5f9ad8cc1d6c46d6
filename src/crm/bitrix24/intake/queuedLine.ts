import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { t, type Locale } from '../../../i18n.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import type { JobPayload } from '../jobs.js';
import { isAccessDenied } from '../rest/b24Error.js';
import { findInstalledPortal } from '../store/portals.js';
import { findRobotRun } from '../store/robotRuns.js';

/**
 * `robot.queued` (C5): the workflow-log line of a robot run whose first call has not started a
 * minute after the intake — it says why the robot still waits (the calling window, a paused
 * campaign, its turn in the queue). A run called within that minute gets no such line: its call's
 * own line ("call 1 to +7…: Busy", or the answer's) comes moments later and names the number, so a
 * line saying "calling" would only cost the portal one more request of its 2 a second.
 */
export const QUEUED_LINE_AFTER_MS = 60_000;

interface Waiting {
  phones: string[];
  campaignStatus: string;
  timezone: string;
  nextAt: Date;
  started: boolean;
}

export async function queuedLine(b24: B24Context, job: OutboxJob, p: JobPayload<'robot.queued'>, ctl: HandlerControl): Promise<HandlerResult> {
  const { app } = b24;
  // Tried once already (this process stopped after sending it, or before): a courtesy line is better
  // missing than written twice.
  if (job.state?.['tried']) return { kind: 'done' };
  const run = await findRobotRun(app.db, job.tenantId, p.runId);
  // Answered already (or gone): the workflow's token is stale, the log closed.
  if (!run || run.status !== 'calling' || !run.contactId) return { kind: 'done' };
  const w = await waitingOf(b24, run.contactId);
  if (!w || w.started) return { kind: 'done' };
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) return { kind: 'done' };
  const template = await findVersioned<{ name: string }>(app.db, TEMPLATES, job.tenantId, run.templateId);
  const params = { phones: w.phones.join(', '), template: template?.name ?? '' };
  await ctl.checkpoint({ tried: true });
  try {
    await b24.gateway.call(job.tenantId, 'bizproc.activity.log', { EVENT_TOKEN: b24.sealer.open(run.eventTokenEnc), LOG_MESSAGE: lineFor(installed.locale, w, app.clock.now(), params) });
  } catch (e) {
    // A progress line is a courtesy: one try; a stale token or a failure only leaves it out.
    if (!isAccessDenied(e)) app.log.warn({ tenantId: job.tenantId, runId: run.id, err: e }, 'bitrix24: robot log line not written');
  }
  return { kind: 'done' };
}

/** The run's numbers, as the dispatcher sees them: started once one is dialling or has been called. */
async function waitingOf(b24: B24Context, contactId: string): Promise<Waiting | undefined> {
  const r = await b24.app.db.query<{ phones: string[]; status: string; timezone: string | null; next_at: Date; started: boolean }>(
    `SELECT array_agg(n.phone ORDER BY n.position) AS phones, c.status, c.settings->>'timezone' AS timezone, min(n.next_attempt_at) AS next_at,
            bool_or(n.status = 'dialing' OR n.attempts_made > 0) AS started
       FROM campaign_numbers n JOIN campaigns c ON c.id = n.campaign_id
      WHERE n.contact_id = $1
      GROUP BY c.status, c.settings->>'timezone'`,
    [contactId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return { phones: row.phones, campaignStatus: row.status, timezone: row.timezone ?? 'Europe/Moscow', nextAt: row.next_at, started: row.started };
}

function lineFor(lng: Locale, w: Waiting, now: Date, params: { phones: string; template: string }): string {
  if (w.campaignStatus === 'paused') return t(lng, 'bitrix24.log.queued_paused', params);
  // The first moment the calling window allows, shown in the campaign's zone (named, so a reader
  // elsewhere converts it); the window itself may be the callee's.
  if (w.nextAt.getTime() > now.getTime() + 60_000) {
    const at = new Intl.DateTimeFormat(lng, { timeZone: w.timezone, day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(w.nextAt);
    return t(lng, 'bitrix24.log.queued_window', { ...params, at, zone: w.timezone });
  }
  return t(lng, 'bitrix24.log.queued', params);
}
