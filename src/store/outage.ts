import type { Logger } from '../log.js';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * One worker's view of a database outage: it says once that it pauses (with the error that told
 * it), backs off exponentially between rounds while the database is away, and says once that it
 * resumed — instead of one error line per tick for as long as the outage lasts. Failures that are
 * not an outage are logged every time, with their stack: they are bugs or bad data.
 */
export interface OutageOptions {
  /** First wait after a failed round, ms. */
  minMs?: number;
  /** Longest wait between rounds while the database is away, ms. */
  maxMs?: number;
}

export class Outage {
  private down = false;
  private failures = 0;
  private since = 0;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly log: Logger,
    /** Who pauses, as it appears in the log: "dispatcher", "outbox worker"… */
    private readonly what: string,
    o: OutageOptions = {},
  ) {
    this.minMs = o.minMs ?? 500;
    this.maxMs = o.maxMs ?? 10_000;
  }

  /** True while the last round failed because the database was unavailable. */
  get isDown(): boolean {
    return this.down;
  }

  /** A round failed: logs as described above; returns how long to wait before the next round. */
  failed(err: unknown, context: Record<string, unknown> = {}): number {
    if (!isDatabaseUnavailable(err)) {
      this.log.error({ ...context, err }, `${this.what}: round failed`);
      return this.minMs;
    }
    this.failures++;
    if (!this.down) {
      this.down = true;
      this.since = Date.now();
      this.log.warn({ ...context, err }, `${this.what}: database unavailable, waiting for it to come back`);
    }
    return Math.min(this.maxMs, this.minMs * 2 ** Math.min(10, this.failures - 1));
  }

  /** A round succeeded: if the database had been away, says once that work resumed. */
  ok(): void {
    this.failures = 0;
    if (!this.down) return;
    this.down = false;
    this.log.warn({ pausedMs: Date.now() - this.since }, `${this.what}: database is back`);
  }
}

/**
 * Runs `fn` until it succeeds, waiting out database outages (other errors are thrown at once):
 * for writes that must not be lost when the database blinks — marking an outbox job done after
 * the CRM accepted it, giving back a number claimed just before the outage. `stopped` ends the
 * wait (the process is shutting down; leases bring the work back later).
 */
export async function untilDatabaseAnswers<T>(fn: () => Promise<T>, o: { outage: Outage; stopped?: () => boolean; context?: Record<string, unknown> }): Promise<T> {
  for (;;) {
    try {
      const result = await fn();
      o.outage.ok();
      return result;
    } catch (e) {
      if (!isDatabaseUnavailable(e) || o.stopped?.()) throw e;
      const wait = o.outage.failed(e, o.context);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
