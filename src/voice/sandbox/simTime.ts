import { CallAbortedError } from '../../scenario/media.js';

/**
 * Simulated time of one sandbox call. It advances by what the call "spends" (each sleep), not by
 * wall-clock time, so reported durations and the moments things happen (the callee hangs up at
 * 1.5 s, the machine verdict lands at 2.5 s) do not depend on machine speed. Sleeps take
 * `scale` × the simulated time in reality (SANDBOX_TIME_SCALE=0.01 turns a 40 s call into 0.4 s).
 */
export class SimTime {
  private virtualMs = 0;
  private readonly alarms: { at: number; fn: () => void }[] = [];
  constructor(readonly scale: number) {}

  /** Simulated ms since this call's clock started. */
  elapsedMs(): number {
    return this.virtualMs;
  }

  /** Runs `fn` when simulated time reaches `atMs` (during the sleep that crosses it). */
  at(atMs: number, fn: () => void): void {
    this.alarms.push({ at: atMs, fn });
    this.alarms.sort((a, b) => a.at - b.at);
  }

  async sleep(simMs: number, signal?: AbortSignal): Promise<void> {
    const end = this.virtualMs + simMs;
    for (;;) {
      const next = this.alarms[0];
      const due = next !== undefined && next.at <= end;
      await this.rawSleep(Math.max(0, (due ? next.at : end) - this.virtualMs), signal);
      if (!due) return;
      this.alarms.shift();
      next.fn();
      if (signal?.aborted) throw abortReason(signal);
    }
  }

  private rawSleep(simMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const started = performance.now();
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        this.virtualMs += simMs;
        resolve();
      }, Math.max(0, simMs * this.scale));
      const onAbort = () => {
        clearTimeout(timer);
        // An abort from outside (hang-up requested, platform stopping) lands in real time.
        this.virtualMs += Math.min(simMs, (performance.now() - started) / this.scale);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new CallAbortedError(typeof r === 'string' ? r : 'aborted');
}
