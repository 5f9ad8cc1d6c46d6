import type { RestTime } from './transport.js';

/**
 * The per-method operating-time limit (brief §4, gotcha 11): every answer says how many seconds
 * this method has used in the last ten minutes (`time.operating`) and when the oldest minute drops
 * out (`operating_reset_at`). Past 480 s the portal refuses the method with 429 for the rest of the
 * window, while other methods keep working. We stop sending a method at 80% of that and hold it
 * until its reset time, so bulk work slows down instead of hitting the wall; a 429 that still
 * happens (another app, another process) holds the method with a growing wait.
 */
export const OPERATING_LIMIT_SEC = 480;
const HOLD_AT = 0.8;
const FIRST_429_HOLD_MS = 5_000;
const MAX_429_HOLD_MS = 120_000;

export class OperatingBudget {
  private readonly heldUntil = new Map<string, number>();
  private readonly strikes = new Map<string, number>();

  constructor(private readonly limitSec = OPERATING_LIMIT_SEC) {}

  /** Records a method's `time` block from an answer (top-level or a batch sub-call). */
  note(method: string, time: RestTime | undefined, nowMs: number): void {
    const m = method.toLowerCase();
    this.strikes.delete(m);
    if (!time || typeof time.operating !== 'number') return;
    if (time.operating >= this.limitSec * HOLD_AT && typeof time.operating_reset_at === 'number') {
      this.heldUntil.set(m, Math.max(nowMs, time.operating_reset_at * 1000));
    }
  }

  /** The portal refused the method with 429: hold it, longer after each refusal in a row. */
  refused(method: string, nowMs: number): number {
    const m = method.toLowerCase();
    const n = (this.strikes.get(m) ?? 0) + 1;
    this.strikes.set(m, n);
    const wait = Math.min(MAX_429_HOLD_MS, FIRST_429_HOLD_MS * 2 ** (n - 1));
    this.heldUntil.set(m, Math.max(this.heldUntil.get(m) ?? 0, nowMs + wait));
    return wait;
  }

  /** When the method may be sent again (0 = now). */
  heldUntilMs(method: string, nowMs: number): number {
    const until = this.heldUntil.get(method.toLowerCase()) ?? 0;
    if (until <= nowMs) {
      this.heldUntil.delete(method.toLowerCase());
      return 0;
    }
    return until;
  }
}
