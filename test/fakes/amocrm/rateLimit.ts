import type { EmulatorClock } from './clock.js';

/**
 * amoCRM's request limit (brief §3, gotcha 4): at most 7 requests a second per account — a leaky
 * bucket of 7 that drains 7 a second. A request over it is refused with 429 (`retry_after`, and a
 * `Retry-After` header) and not counted; an integration that keeps going over it (`banAfter` 429s
 * inside `banWindowMs`) is banned: every request answers 403 with nginx's HTML page until support
 * lifts it (`unban()`), or `banMs` passes.
 */
export interface RateLimitSettings {
  perSecond: number;
  burst: number;
  /** Seconds a 429 asks the client to wait. */
  retryAfterSeconds: number;
  banAfter: number;
  banWindowMs: number;
  /** How long a ban lasts; null = until unban(). */
  banMs: number | null;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 7, burst: 7, retryAfterSeconds: 1, banAfter: 25, banWindowMs: 60_000, banMs: null };

export type Admission = { ok: true } | { ok: false; status: 429; retryAfter: number } | { ok: false; status: 403 };

export class RateLimiter {
  private level = 0;
  private last: number;
  private violations: number[] = [];
  private bannedUntil: number | null = null;
  private banned = false;
  /** Injected: the next n requests get 429 whatever the bucket says (a burst from other integrations). */
  forced429 = 0;

  constructor(
    private readonly clock: EmulatorClock,
    public settings: RateLimitSettings | null,
  ) {
    this.last = clock.now();
  }

  get isBanned(): boolean {
    if (this.banned && this.bannedUntil !== null && this.bannedUntil <= this.clock.now()) this.banned = false;
    return this.banned;
  }

  admit(): Admission {
    if (this.isBanned) return { ok: false, status: 403 };
    const retryAfter = this.settings?.retryAfterSeconds ?? 1;
    if (this.forced429 > 0) {
      this.forced429--;
      this.violation();
      return { ok: false, status: 429, retryAfter };
    }
    if (!this.settings) return { ok: true };
    this.drain();
    if (this.level + 1 > this.settings.burst) {
      this.violation();
      return this.isBanned ? { ok: false, status: 403 } : { ok: false, status: 429, retryAfter };
    }
    this.level += 1;
    return { ok: true };
  }

  ban(): void {
    this.banned = true;
    this.bannedUntil = this.settings?.banMs ? this.clock.now() + this.settings.banMs : null;
  }

  unban(): void {
    this.banned = false;
    this.bannedUntil = null;
    this.violations = [];
  }

  reset(): void {
    this.level = 0;
    this.last = this.clock.now();
    this.violations = [];
  }

  private violation(): void {
    const now = this.clock.now();
    const s = this.settings;
    if (!s) return;
    this.violations = this.violations.filter((t) => t > now - s.banWindowMs);
    this.violations.push(now);
    if (this.violations.length >= s.banAfter) this.ban();
  }

  private drain(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (this.settings) this.level = Math.max(0, this.level - elapsed * this.settings.perSecond);
  }
}
