import type { HandlerControl, HandlerResult, OutboxHandler } from '../../engine/outbox/outboxWorker.js';
import { backoff } from '../../engine/outbox/outboxWorker.js';
import type { OutboxJob } from '../../store/repositories/outbox.js';
import { findTenant } from '../../store/repositories/tenants.js';
import type { AmoContext } from './amoContext.js';
import { isAmoError } from './api/amoError.js';
import { runDpIntake } from './dp/dpIntake.js';
import { runIntake } from './intake/intakeJob.js';
import { jobPayloads, type JobKind, type JobPayload } from './jobs.js';
import { writeAttempt } from './writeback/writeAttempt.js';

/**
 * The `amocrm` outbox channel: routes a job to its handler and turns what went wrong into the
 * worker's verdict, in one place:
 * - a request the account refused as wrong (validation) → dead, it would fail the same way forever;
 * - an account to reconnect (refresh refused) → retry in ten minutes (campaigns are paused; jobs
 *   resume once an administrator reconnects); uninstalled / no tokens → dead;
 * - a blocked account (403 / 402) → retry when the block ends (nothing is sent meanwhile);
 * - 429, timeouts, 5xx, HTML pages → retry with backoff (or after Retry-After).
 */
const REAUTH_RETRY_MS = 10 * 60_000;

type JobHandler<K extends JobKind> = (ctx: AmoContext, job: OutboxJob, p: JobPayload<K>, ctl: HandlerControl) => Promise<HandlerResult>;

const HANDLERS: { [K in JobKind]: JobHandler<K> } = {
  intake: (ctx, job, p) => runIntake(ctx, job, p),
  'dp.intake': runDpIntake,
  'attempt.writeback': writeAttempt,
};

export function amocrmOutboxHandler(ctx: AmoContext): OutboxHandler {
  return async (_app, job, ctl): Promise<HandlerResult> => {
    const kind = job.kind as JobKind;
    const schema = jobPayloads[kind];
    if (!schema) return { kind: 'dead', error: `unknown amoCRM job kind ${job.kind}` };
    const parsed = schema.safeParse(job.payload);
    if (!parsed.success) return { kind: 'dead', error: `malformed ${job.kind} payload` };
    const log = ctx.log.child({ tenantId: job.tenantId, jobId: job.id, kind: job.kind });
    try {
      return await (HANDLERS[kind] as JobHandler<JobKind>)(ctx, job, parsed.data, ctl);
    } catch (e) {
      const now = ctx.clock.now().getTime();
      if (!isAmoError(e)) {
        log.warn({ err: e }, 'amocrm: job failed; will retry');
        return { kind: 'retry', error: (e as Error).message };
      }
      const error = e.message;
      switch (e.kind) {
        case 'final':
          return { kind: 'dead', error };
        case 'revoked': {
          const tenant = await findTenant(ctx.db, job.tenantId);
          if (!tenant || tenant.status === 'uninstalled' || e.code === 'NO_TOKENS') return { kind: 'dead', error };
          return { kind: 'retry', error, retryAt: new Date(now + REAUTH_RETRY_MS) };
        }
        case 'blocked':
          return { kind: 'retry', error, retryAt: new Date(now + Math.max(60_000, e.retryAfterMs ?? 60 * 60_000)) };
        case 'limit':
          return { kind: 'retry', error, retryAt: new Date(now + Math.max(e.retryAfterMs ?? 0, backoff(job.attempts, ctx.clock.now()).getTime() - now)) };
        default:
          return { kind: 'retry', error, retryAt: backoff(job.attempts, ctx.clock.now()) };
      }
    }
  };
}
