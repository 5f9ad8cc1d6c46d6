import type { HandlerControl, HandlerResult, OutboxHandler } from '../../engine/outbox/outboxWorker.js';
import { backoff } from '../../engine/outbox/outboxWorker.js';
import type { OutboxJob } from '../../store/repositories/outbox.js';
import { findTenant } from '../../store/repositories/tenants.js';
import type { B24Context } from './b24Context.js';
import { confirmUninstall } from './install/confirmUninstall.js';
import { purgePortal } from './install/purgePortal.js';
import { bulkIntake } from './intake/bulkIntake.js';
import { queuedLine } from './intake/queuedLine.js';
import { robotIntake } from './intake/robotIntake.js';
import { jobPayloads, type JobKind, type JobPayload } from './jobs.js';
import { isB24Error } from './rest/b24Error.js';
import { syncRobot } from './robots/syncRobot.js';
import { fireTriggers } from './triggers/fireTriggers.js';
import { returnToRobot } from './writeback/returnToRobot.js';
import { writeAttempt } from './writeback/writeAttempt.js';

/**
 * The `bitrix24` outbox channel: routes a job to its handler and turns what went wrong into the
 * worker's verdict, in one place:
 * - a request the portal refused as wrong (validation, a stale event token, …) → dead, it would
 *   fail the same way forever;
 * - a portal that needs re-authorisation → retry in ten minutes (the campaign is paused; jobs
 *   resume once an administrator re-authorises);
 * - limits, timeouts, 5xx, HTML pages → retry with backoff.
 */
const REAUTH_RETRY_MS = 10 * 60_000;

type JobHandler<K extends JobKind> = (b24: B24Context, job: OutboxJob, p: JobPayload<K>, ctl: HandlerControl) => Promise<HandlerResult>;

/** One handler per job kind (a kind without one does not compile), given the payload already validated. */
const HANDLERS: { [K in JobKind]: JobHandler<K> } = {
  'robot.sync': (b24, job, p) => syncRobot(b24, job.tenantId, p),
  'robot.intake': robotIntake,
  'robot.queued': queuedLine,
  intake: bulkIntake,
  'attempt.writeback': writeAttempt,
  'robot.return': returnToRobot,
  'trigger.fire': fireTriggers,
  'portal.uninstall': confirmUninstall,
  'portal.purge': (b24, job) => purgePortal(b24, job),
};

export function bitrix24OutboxHandler(b24: B24Context): OutboxHandler {
  return async (app, job, ctl): Promise<HandlerResult> => {
    const kind = job.kind as JobKind;
    const schema = jobPayloads[kind];
    if (!schema) return { kind: 'dead', error: `unknown Bitrix24 job kind ${job.kind}` };
    const parsed = schema.safeParse(job.payload);
    if (!parsed.success) return { kind: 'dead', error: `malformed ${job.kind} payload` };
    try {
      return await (HANDLERS[kind] as JobHandler<JobKind>)(b24, job, parsed.data, ctl);
    } catch (e) {
      if (!isB24Error(e)) return { kind: 'retry', error: (e as Error).message };
      const error = e.message;
      if (e.kind === 'final') return { kind: 'dead', error };
      if (e.kind === 'revoked') {
        const tenant = await findTenant(app.db, job.tenantId);
        if (!tenant || tenant.status === 'uninstalled' || e.code === 'NO_TOKENS') return { kind: 'dead', error };
        return { kind: 'retry', error, retryAt: new Date(app.clock.now().getTime() + REAUTH_RETRY_MS) };
      }
      return { kind: 'retry', error, retryAt: backoff(job.failures + 1, app.clock.now()) };
    }
  };
}
