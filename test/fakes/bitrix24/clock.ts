/**
 * The emulator's notion of "now". Every expiry in the emulator (access tokens, the 30-minute
 * external-call window, the 10-minute operating window, leaky-bucket drain, robot timeouts)
 * reads this clock, so a test can jump forward instead of waiting.
 */
export class EmulatorClock {
  #offsetMs = 0;

  /** Milliseconds since the epoch, shifted by every `advance()` so far. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Unix seconds (integer), the unit Bitrix24 uses for `expires`, `ts`, `operating_reset_at`. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves emulator time forward (or back, with a negative value). */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

/** ISO-8601 with a numeric offset (`2024-08-29T10:34:19+00:00`), the way Bitrix24 prints dates. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
