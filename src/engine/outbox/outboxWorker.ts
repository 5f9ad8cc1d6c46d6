import type { AppContext } from '../../context.js';
import { Outage, untilDatabaseAnswers } from '../../store/outage.js';
import { isDatabaseUnavailable } from '../../store/unavailable.js';
import {
  checkpointOutbox,
  claimOutboxBatch,
  extendOutboxLease,
  markOutboxDone,
  markOutboxFailed,
  signalOutbox,
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
  /**
   * `wait`: not a failure but a planned wait (e.g. for a recording): it does not lengthen later backoffs.
   * `waitFor`: what the job waits for, so that it is woken when it happens (`signalOutbox`) rather
   * than at `retryAt`, which stays as the fallback. `state`: the job's progress, saved with the retry.
   */
  | { kind: 'retry'; error: string; retryAt?: Date; wait?: boolean; waitFor?: WaitFor; state?: Record<string, unknown> }
  | { kind: 'dead'; error: string };

/**
 * Something a job waits for: the signal that will announce it, and a look at whether it has
 * happened already — asked once the wait is recorded, since the signal may have gone out between
 * the handler's look and that record (it would have found no job to wake).
 */
export interface WaitFor {
  signal: string;
  ready(): Promise<boolean>;
}

export interface HandlerControl {
  /** Saves progress so a retry continues after the last finished step. */
  checkpoint(state: Record<string, unknown>): Promise<void>;
}

export type OutboxHandler = (app: AppContext, job: OutboxJob, ctl: HandlerControl) => Promise<HandlerResult>;

/**
 * Exponential backoff with jitter by the failure this is (1 = the first): 5 s, 10 s, 20 s … capped
 * at one hour. Outbox jobs pass `job.failures + 1` — failures, not claims: a claim whose process
 * was killed, or a planned wait, is no reason to wait longer.
 */
export function backoff(failure: number, now: Date): Date {
  const base = Math.min(3600_000, 5000 * 2 ** Math.max(0, failure - 1));
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
  o: { everyMs?: number; poolSize?: number; leaseMs?: number; autoStart?: boolean } = {},
): OutboxWorker {
  const channels = Object.keys(handlers) as OutboxChannel[];
  const leaseMs = o.leaseMs ?? 120_000;
  const everyMs = o.everyMs ?? 500;
  let stopped = false;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** New work was announced while a run was under way. */
  let woken = false;
  let onWake: (() => void) | undefined;
  const log = app.log.child({ component: 'outbox' });
  // While the database is away the worker pauses (one log line), backs off, and resumes by itself.
  const outage = new Outage(log, 'outbox worker');

  const handle = async (job: OutboxJob): Promise<void> => {
    const jlog = log.child({ tenantId: job.tenantId, jobId: job.id, channel: job.channel, kind: job.kind });
    // What the CRM already accepted must be recorded even if the database blinks right then: a
    // lost checkpoint or "done" would make the job run again and the write land twice.
    const recorded = <T>(fn: () => Promise<T>) => untilDatabaseAnswers(fn, { outage, stopped: () => stopped, context: { jobId: job.id } });
    const handler = handlers[job.channel]!;
    let state = job.state;
    let result: HandlerResult;
    // While the handler runs, the lease is renewed: another process takes the job only when this
    // one is gone, never while it is still writing (that would write to the CRM twice).
    const heartbeat = setInterval(() => {
      extendOutboxLease(app.db, job.id, app.workerId, new Date(app.clock.now().getTime() + leaseMs)).then(
        (mine) => {
          if (!mine) jlog.warn('outbox: the job is no longer leased to this worker');
        },
        // A renewal that fails (the database blinked) is tried again at the next beat.
        (e: unknown) => jlog.debug({ err: e }, 'outbox: renewing a lease failed'),
      );
    }, Math.max(1000, leaseMs / 3));
    try {
      result = await handler(app, job, {
        checkpoint: async (s) => {
          state = s;
          await recorded(() => checkpointOutbox(app.db, job.id, app.workerId, s));
        },
      });
    } catch (e) {
      if (!isDatabaseUnavailable(e)) jlog.warn({ err: e }, 'outbox: the handler failed; the job will be retried');
      result = { kind: 'retry', error: (e as Error).message };
    } finally {
      clearInterval(heartbeat);
    }
    const now = app.clock.now();
    if (result.kind === 'done') {
      const done = result;
      await recorded(() => markOutboxDone(app.db, job.id, app.workerId, now, done.state ?? state));
      if (done.afterDone) {
        await done.afterDone().catch((err: unknown) => jlog.warn({ err }, 'outbox: follow-up of a delivered job failed'));
      }
      return;
    }
    const failure = result;
    const waitFor = failure.kind === 'retry' ? failure.waitFor : undefined;
    const verdict = await recorded(() =>
      markOutboxFailed(app.db, job.id, app.workerId, {
        error: failure.error,
        retryAt: failure.kind === 'dead' ? null : (failure.retryAt ?? backoff(job.failures + 1, now)),
        now,
        wait: failure.kind === 'retry' && failure.wait === true,
        state: failure.kind === 'retry' ? failure.state : undefined,
        waitsFor: waitFor?.signal,
      }),
    );
    // A planned wait is not a failure worth a warning.
    const level = verdict === 'dead' ? 'error' : failure.kind === 'retry' && failure.wait ? 'debug' : 'warn';
    jlog[level]({ attempts: job.attempts, error: failure.error }, `outbox: ${verdict}`);
    if (waitFor && verdict === 'retry') {
      // Announced before the wait was recorded? Then nobody will: the job wakes itself.
      const ready = await waitFor.ready().catch((e: unknown) => {
        jlog.debug({ err: e }, 'outbox: could not look whether a waited-for event happened; the retry time stands');
        return false;
      });
      if (ready) await signalOutbox(app.db, [waitFor.signal], app.clock.now()).catch((e: unknown) => jlog.debug({ err: e }, 'outbox: self-wake failed; the retry time stands'));
    }
  };

  const limit = o.poolSize ?? 20;
  /**
   * A pool, not rounds: up to `limit` jobs run at once, and more are claimed as soon as half the
   * pool is free. A round that waited for its slowest job (a CRM answering slowly, a write waiting
   * to share a Bitrix24 batch) held every other job back with it.
   */
  const runOnce = async (): Promise<number> => {
    if (running) return running;
    running = (async () => {
      let total = 0;
      let failure: { error: unknown } | undefined;
      // Jobs running now, by id: what the next claim must not take again.
      const inFlight = new Map<string, Promise<void>>();
      // After a claim found nothing, the next one waits for new work (a wake) or an empty pool.
      let drained = false;
      for (;;) {
        if (!stopped && failure === undefined && inFlight.size <= limit / 2 && (!drained || woken || inFlight.size === 0)) {
          woken = false;
          let jobs: OutboxJob[] = [];
          try {
            jobs = await claimOutboxBatch(app.db, { worker: app.workerId, now: app.clock.now(), leaseMs, limit: limit - inFlight.size, channels, running: [...inFlight.keys()] });
          } catch (e) {
            failure = { error: e };
          }
          for (const job of jobs) {
            inFlight.set(
              job.id,
              handle(job)
                .catch((e: unknown) => {
                  failure ??= { error: e };
                })
                .finally(() => inFlight.delete(job.id)),
            );
          }
          total += jobs.length;
          drained = jobs.length === 0;
          // Nothing more due: what runs now may make more due (a follow-up), so look again after it.
          if (jobs.length === 0 && inFlight.size === 0) break;
          if (jobs.length > 0 && inFlight.size <= limit / 2) continue;
        }
        if (inFlight.size === 0) break;
        await Promise.race([...inFlight.values(), new Promise<void>((r) => (onWake = r))]);
        onWake = undefined;
      }
      if (failure) throw failure.error;
      return total;
    })().finally(() => (running = undefined));
    return running;
  };

  const loop = () => {
    if (stopped) return;
    let wait = everyMs;
    runOnce()
      .then(
        () => outage.ok(),
        (e: unknown) => (wait = Math.max(everyMs, outage.failed(e))),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, wait);
      });
  };
  if (o.autoStart !== false) timer = setTimeout(loop, 10);

  return {
    runOnce,
    wake() {
      // During an outage the back-off timer decides when to try again.
      if (stopped || outage.isDown) return;
      woken = true;
      onWake?.();
      if (timer) clearTimeout(timer);
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A failed last round was logged by the loop; stopping does not depend on it.
      await running?.catch(() => undefined);
    },
  };
}
