/**
 * The emulator's "now": token lifetimes, the 3-month refresh-token expiry, the rate limiter and
 * bans read it, so a test jumps forward instead of waiting.
 */
export class EmulatorClock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Unix seconds, the unit amoCRM uses for `created_at`, `expires_in`, JWT claims. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
