import { CallAbortedError } from '../../scenario/media.js';

/**
 * Simulated time of one sandbox call. It advances by what the call "spends" (each sleep), not by
 * wall-clock time, so reported durations do not depend on machine speed; sleeps take
 * `scale` × the simulated time in reality (SANDBOX_TIME_SCALE=0.01 turns a 40 s call into 0.4 s).
 * An aborted sleep advances the clock by the part that really passed.
 */
export class SimTime {
  private virtualMs = 0;
  constructor(readonly scale: number) {}

  /** Simulated ms since this call's clock started. */
  elapsedMs(): number {
    return this.virtualMs;
  }

  sleep(simMs: number, signal?: AbortSignal): Promise<void> {
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
