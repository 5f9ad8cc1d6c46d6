import { CallAbortedError, type CallMedia, type Heard, type TransferResult, type TransferTarget } from '../../../../src/scenario/media.js';
import type { Branch } from '../../../../src/scenario/recognition.js';

export type MediaOp = 'say' | 'listen' | 'transfer' | 'hangup';

export interface FakeMediaOptions {
  /** The call's signal: every operation rejects once it is aborted, like a real platform. */
  signal?: AbortSignal;
  /** What the callee says at each listen, in order; silence once the script runs out. */
  answers?: (string | Heard)[];
  /** What a transfer reports. */
  transfer?: TransferResult;
  /** Operations that never finish by themselves: they stay pending until the signal aborts. */
  hold?: MediaOp[];
  /** Called when a held operation has started (the test aborts the call from here). */
  onHold?: (op: MediaOp) => void;
  /** Operations that fail with this error. */
  fail?: Partial<Record<MediaOp, Error>>;
}

/** A scripted far end: records what the bot did, answers from a script, and tracks what is pending. */
export class FakeMedia implements CallMedia {
  readonly said: string[] = [];
  readonly listens: { timeoutSec: number; hints: string[]; expect?: Branch[] | undefined }[] = [];
  readonly transfers: TransferTarget[] = [];
  hangups = 0;
  /** Operations started and not settled yet. */
  pending = 0;
  /** Abort listeners still registered on the signal. */
  listeners = 0;
  private readonly answers: (string | Heard)[];

  constructor(private readonly o: FakeMediaOptions = {}) {
    this.answers = [...(o.answers ?? [])];
  }

  say(text: string): Promise<void> {
    this.said.push(text);
    return this.op('say', () => undefined);
  }

  listen(opts: { timeoutSec: number; hints: string[]; expect?: Branch[] }): Promise<Heard> {
    this.listens.push(opts);
    return this.op('listen', () => {
      const next = this.answers.shift() ?? '';
      return typeof next === 'string' ? { text: next } : next;
    });
  }

  transfer(target: TransferTarget): Promise<TransferResult> {
    this.transfers.push(target);
    return this.op('transfer', () => this.o.transfer ?? { connected: true });
  }

  hangup(): Promise<void> {
    this.hangups++;
    return this.op('hangup', () => undefined);
  }

  private op<T>(kind: MediaOp, value: () => T): Promise<T> {
    const signal = this.o.signal;
    if (signal?.aborted) return Promise.reject(reasonOf(signal));
    const failure = this.o.fail?.[kind];
    if (failure) return Promise.reject(failure);
    if (!this.o.hold?.includes(kind)) return Promise.resolve(value());
    this.pending++;
    return new Promise<T>((_resolve, reject) => {
      const onAbort = () => {
        this.pending--;
        this.listeners--;
        reject(reasonOf(signal!));
      };
      if (signal) {
        this.listeners++;
        signal.addEventListener('abort', onAbort, { once: true });
      }
      queueMicrotask(() => this.o.onHold?.(kind));
    });
  }
}

function reasonOf(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new CallAbortedError(typeof r === 'string' ? r : 'aborted');
}
