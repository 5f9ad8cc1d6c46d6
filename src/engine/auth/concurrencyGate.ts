import { DomainError } from '../../core/errors.js';

/**
 * At most `max` tasks at once; up to `maxWaiting` more wait their turn for at most `maxWaitMs`;
 * anything beyond is refused at once with `server_busy` (503, Retry-After). p-limit and p-queue
 * bound the running tasks but not the waiting ones, and a waiting request holds its socket and
 * memory, so the queue itself must be bounded.
 */
export interface GateOptions {
  max: number;
  maxWaiting: number;
  maxWaitMs: number;
  /** Seconds the refused client is told to wait. */
  retryAfterSec?: number;
}

export interface GateStats {
  active: number;
  waiting: number;
  /** The most tasks that ever ran at once. */
  peakActive: number;
  refused: number;
}

export class ConcurrencyGate {
  private active = 0;
  private readonly queue: { start: () => void; timer: NodeJS.Timeout }[] = [];
  private readonly counters = { peakActive: 0, refused: 0 };

  constructor(private readonly o: GateOptions) {}

  stats(): GateStats {
    return { active: this.active, waiting: this.queue.length, ...this.counters };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.active < this.o.max) {
      this.begin();
      return Promise.resolve();
    }
    if (this.queue.length >= this.o.maxWaiting) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          this.begin();
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(this.busy());
        }, this.o.maxWaitMs),
      };
      this.queue.push(entry);
    });
  }

  private begin(): void {
    this.active++;
    this.counters.peakActive = Math.max(this.counters.peakActive, this.active);
  }

  private leave(): void {
    this.active--;
    this.queue.shift()?.start();
  }

  private busy(): DomainError {
    this.counters.refused++;
    return new DomainError('server_busy', 'errors.server_busy', {}, [], { retryAfterSec: this.o.retryAfterSec ?? 1 });
  }
}
