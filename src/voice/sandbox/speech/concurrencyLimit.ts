/**
 * Runs at most `limit` tasks at once; the rest wait in arrival order. Keeps a burst of simulated
 * calls from forking dozens of espeak-ng processes at the same moment.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`limit must be ≥ 1, got ${limit}`);
  }

  /** Runs `task` when a slot is free and resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter (no decrement/increment gap in
    // which a newcomer could slip in and exceed the limit).
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
