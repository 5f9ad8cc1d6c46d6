import type { AppContext } from '../../context.js';
import {
  checkpointOutbox,
  claimOutboxBatch,
  markOutboxDone,
  markOutboxFailed,
  type OutboxChannel,
  type OutboxJob,
} from '../../store/repositories/outbox.js';

/**
 * Delivers outbox jobs: claims due rows (leased, so a crash gives them back), runs the handler of
 * the job's channel, and records the result. A handler says done, retry (optionally when), or dead
 * (a final refusal that will never succeed, e.g. a stale Bitrix24 event token).
 */
export type HandlerResult =
  /** `afterDone`: runs once the job is recorded done (e.g. wake a job that waits for this one); its failure is only logged. */
  | { kind: 'done'; state?: Record<string, unknown>; afterDone?: () => Promise<void> }
  | { kind: 'retry'; error: string; retryAt?: Date }
  | { kind: 'dead'; error: string };

export interface HandlerControl {
  /** Saves progress so a retry continues after the last finished step. */
  checkpoint(state: Record<string, unknown>): Promise<void>;
}

export type OutboxHandler = (app: AppContext, job: OutboxJob, ctl: HandlerControl) => Promise<HandlerResult>;

/** Exponential backoff with jitter: 5 s, 10 s, 20 s … capped at one hour. */
export function backoff(attempts: number, now: Date): Date {
  const base = Math.min(3600_000, 5000 * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + base * (0.8 + Math.random() * 0.4));
}

export interface OutboxWorker {
  /** Delivers what is due now (tests and the loop). Resolves with the number of jobs handled. */
  runOnce(): Promise<number>;
  wake(): void;
  stop(): Promise<void>;
}

export function startOutboxWorker(
  app: AppContext,
  handlers: Partial<Record<OutboxChannel, OutboxHandler>>,
  o: { everyMs?: number; batch?: number; leaseMs?: number; autoStart?: boolean } = {},
): OutboxWorker {
  const channels = Object.keys(handlers) as OutboxChannel[];
  const leaseMs = o.leaseMs ?? 120_000;
  let stopped = false;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const handle = async (job: OutboxJob): Promise<void> => {
    const handler = handlers[job.channel]!;
    let state = job.state;
    let result: HandlerResult;
    try {
      result = await handler(app, job, {
        checkpoint: async (s) => {
          state = s;
          await checkpointOutbox(app.db, job.id, app.workerId, s);
        },
      });
    } catch (e) {
      result = { kind: 'retry', error: (e as Error).message };
    }
    const now = app.clock.now();
    if (result.kind === 'done') {
      await markOutboxDone(app.db, job.id, app.workerId, now, result.state ?? state);
      if (result.afterDone) {
        await result.afterDone().catch((err: unknown) => app.log.warn({ err, jobId: job.id, channel: job.channel, kind: job.kind }, 'outbox: follow-up of a delivered job failed'));
      }
      return;
    }
    const verdict = await markOutboxFailed(app.db, job.id, app.workerId, {
      error: result.error,
      retryAt: result.kind === 'dead' ? null : (result.retryAt ?? backoff(job.attempts, now)),
      now,
    });
    const level = verdict === 'dead' ? 'error' : 'warn';
    app.log[level]({ jobId: job.id, channel: job.channel, kind: job.kind, attempts: job.attempts, err: result.error }, `outbox: ${verdict}`);
  };

  const runOnce = async (): Promise<number> => {
    if (running) return running;
    running = (async () => {
      let total = 0;
      for (;;) {
        const jobs = await claimOutboxBatch(app.db, { worker: app.workerId, now: app.clock.now(), leaseMs, limit: o.batch ?? 20, channels });
        if (jobs.length === 0) return total;
        await Promise.all(jobs.map(handle));
        total += jobs.length;
        if (stopped) return total;
      }
    })().finally(() => (running = undefined));
    return running;
  };

  const loop = () => {
    if (stopped) return;
    runOnce()
      .catch((e: unknown) => app.log.error({ err: (e as Error).message }, 'outbox worker failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, o.everyMs ?? 500);
      });
  };
  if (o.autoStart !== false) timer = setTimeout(loop, 10);

  return {
    runOnce,
    wake() {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
