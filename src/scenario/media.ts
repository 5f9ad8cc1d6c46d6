import type { Branch } from './recognition.js';

/**
 * What a scenario needs from a live call. The voice platform (src/voice) provides it; the scenario
 * engine knows nothing else about telephony. Every method rejects with an AbortError once the call's
 * signal is aborted (callee hung up, machine detected, operator took over).
 */
export interface Heard {
  /** What the recogniser heard; empty when the callee said nothing in time. */
  text: string;
  /** Recogniser confidence 0..1 when the platform gives one. */
  confidence?: number;
}

export type TransferTarget =
  | { kind: 'phone'; number: string; dialPlanId?: string }
  | { kind: 'direction'; directionId: string; numbers: string[]; ringTimeoutSec: number }
  | { kind: 'custom'; target: string };

export interface TransferResult {
  connected: boolean;
  /** The number or target that answered. */
  answeredBy?: string;
}

export interface CallMedia {
  /** Speaks text and resolves when it has been played. */
  say(text: string): Promise<void>;
  /**
   * Waits for the callee's reply. `hints` are phrases the recogniser should expect (a speech
   * grammar); `expect` gives the branches they belong to, for platforms that recognise intents.
   */
  listen(opts: { timeoutSec: number; hints: string[]; expect?: Branch[] }): Promise<Heard>;
  /** Hands the call over; the scenario ends after a transfer. */
  transfer(target: TransferTarget): Promise<TransferResult>;
  /** Ends the call from our side. */
  hangup(): Promise<void>;
}

export class CallAbortedError extends Error {
  constructor(readonly reason: string) {
    super(`call aborted: ${reason}`);
    this.name = 'AbortError';
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
