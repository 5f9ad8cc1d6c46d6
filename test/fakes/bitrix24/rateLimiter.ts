import type { EmulatorClock } from './clock.js';

/** Leaky-bucket parameters (RD:limits.md): the counter drains by `drainPerSecond`; over `burst` → 503. */
export interface RateLimitSettings {
  drainPerSecond: number;
  burst: number;
}

/** Operating (execution-time) limit per method (RD:limits.md; brief §4). */
export interface OperatingLimitSettings {
  /** Seconds of accumulated execution per method inside the window before 429. Cloud: 480. */
  limitSeconds: number;
  /** Window length in seconds; Bitrix24 keeps ten one-minute buckets. Cloud: 600. */
  windowSeconds: number;
}

export const PLAN_LIMITS: Readonly<Record<'normal' | 'enterprise', RateLimitSettings>> = {
  normal: { drainPerSecond: 2, burst: 50 },
  enterprise: { drainPerSecond: 5, burst: 250 },
};

export const DEFAULT_OPERATING: OperatingLimitSettings = { limitSeconds: 480, windowSeconds: 600 };

/**
 * Per-portal request counter. Every request (a batch is one) adds 1; the level leaks away at
 * `drainPerSecond`; a request that would push it over `burst` is refused and not counted, so a
 * client that backs off recovers at the drain rate — as observed on cloud portals.
 */
export class LeakyBucket {
  #level = 0;
  #lastMs: number;

  constructor(
    private readonly clock: EmulatorClock,
    public settings: RateLimitSettings | null,
  ) {
    this.#lastMs = clock.now();
  }

  /** Current fill level after draining (for assertions and debugging). */
  get level(): number {
    this.#drain();
    return this.#level;
  }

  /** Counts one request; false means "answer 503 QUERY_LIMIT_EXCEEDED". */
  tryTake(): boolean {
    if (this.settings === null) return true;
    this.#drain();
    if (this.#level + 1 > this.settings.burst) return false;
    this.#level += 1;
    return true;
  }

  reset(): void {
    this.#level = 0;
    this.#lastMs = this.clock.now();
  }

  #drain(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.#lastMs) / 1000;
    this.#lastMs = now;
    if (this.settings) this.#level = Math.max(0, this.#level - elapsed * this.settings.drainPerSecond);
  }
}

/**
 * Accumulated execution time per key (credential + method) in one-minute buckets over the
 * window. `operating` and `operating_reset_at` in every `time` object come from here; a key at or
 * over the limit is blocked (429 OPERATION_TIME_LIMIT) while other methods keep working.
 */
export class OperatingMeter {
  readonly #buckets = new Map<string, Map<number, number>>();
  static readonly BUCKET_MS = 60_000;

  constructor(
    private readonly clock: EmulatorClock,
    public settings: OperatingLimitSettings | null,
  ) {}

  /** Seconds used in the current window and the unix time when the oldest bucket expires. */
  usage(key: string): { operating: number; resetAt: number } {
    const now = this.clock.now();
    const windowMs = (this.settings ?? DEFAULT_OPERATING).windowSeconds * 1000;
    const buckets = this.#buckets.get(key);
    let operating = 0;
    let oldest: number | null = null;
    if (buckets) {
      for (const [start, seconds] of buckets) {
        if (start + windowMs <= now) {
          buckets.delete(start);
          continue;
        }
        operating += seconds;
        if (oldest === null || start < oldest) oldest = start;
      }
    }
    const resetAtMs = (oldest ?? Math.floor(now / OperatingMeter.BUCKET_MS) * OperatingMeter.BUCKET_MS) + windowMs;
    return { operating, resetAt: Math.floor(resetAtMs / 1000) };
  }

  isBlocked(key: string): boolean {
    if (this.settings === null) return false;
    return this.usage(key).operating >= this.settings.limitSeconds;
  }

  add(key: string, seconds: number): void {
    if (seconds <= 0) return;
    const start = Math.floor(this.clock.now() / OperatingMeter.BUCKET_MS) * OperatingMeter.BUCKET_MS;
    let buckets = this.#buckets.get(key);
    if (!buckets) {
      buckets = new Map();
      this.#buckets.set(key, buckets);
    }
    buckets.set(start, (buckets.get(start) ?? 0) + seconds);
  }

  reset(): void {
    this.#buckets.clear();
  }
}
