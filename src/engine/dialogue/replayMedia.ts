import { CallAbortedError, type CallMedia, type Heard, type TransferResult, type TransferTarget } from '../../scenario/media.js';
import { phrasesOf, type Branch } from '../../scenario/recognition.js';
import type { CallAction, DialogueInput, Listen } from '../../voice/port.js';

/**
 * The CallMedia a scenario runs on during a replay (see replay.ts). It answers `listen` and
 * `transfer` from the inputs the platform reported so far; `say` and `hangup` are only noted as
 * actions. At the first `listen`/`transfer` it has no input for, it suspends the run: the actions
 * noted since the last input are what the platform must do next. With a terminal reason (the call
 * is over) it ends the run there instead, as a hang-up would have.
 */
export const SUSPENDED = 'suspended';

export interface TimedInput {
  input: DialogueInput;
  /** Milliseconds since the call was answered, when the input arrived. */
  atMs: number;
}

/** Turns a transfer target into what the platform dials; undefined = nothing dialable (not connected). */
export type TransferMapper = (target: TransferTarget) => Extract<CallAction, { kind: 'transfer' }> | undefined;

export class ReplayMedia implements CallMedia {
  private cursor = 0;
  private pending: CallAction[] = [];
  private nowMs = 0;
  /** The run stopped at an input it does not have yet. */
  suspended = false;
  /** The inputs do not fit the scenario (a platform answered a question that was never asked). */
  outOfStep: string | undefined;

  constructor(
    /** Inputs after "answered", oldest first. */
    private readonly inputs: readonly TimedInput[],
    private readonly o: {
      abort: AbortController;
      mapTransfer: TransferMapper;
      /** The call is over: end the run where it waits for the callee, with this reason. */
      terminal?: string | undefined;
      /** Time of the "answered" input. */
      startMs: number;
    },
  ) {
    this.nowMs = o.startMs;
  }

  /** Milliseconds since answer of the last input consumed: the run's clock, the same on every replay. */
  elapsedMs(): number {
    return this.nowMs;
  }

  /** The actions produced since the last input consumed. */
  actions(): CallAction[] {
    return this.pending;
  }

  /** Every input was consumed (a replay that stops earlier means the scenario changed under the call). */
  consumedAll(): boolean {
    return this.cursor >= this.inputs.length;
  }

  async say(text: string): Promise<void> {
    this.pending.push({ kind: 'say', text });
  }

  async listen(opts: { timeoutSec: number; hints: string[]; expect?: Branch[] }): Promise<Heard> {
    const next = this.take('heard');
    if (next?.kind === 'heard') return heardOf(next, opts.expect ?? []);
    const listen: Listen = { speech: true, dtmf: true, timeoutSec: opts.timeoutSec, hints: opts.hints, expect: opts.expect ?? [], maxDigits: 1 };
    const last = this.pending.at(-1);
    if (last && (last.kind === 'say' || last.kind === 'play') && !last.listen) last.listen = listen;
    else this.pending.push({ kind: 'pause', seconds: 0, listen });
    return this.suspend();
  }

  async transfer(target: TransferTarget): Promise<TransferResult> {
    const action = this.o.mapTransfer(target);
    if (!action) return { connected: false };
    const next = this.take('transferred');
    if (next?.kind === 'transferred') return next.connected ? { connected: true, answeredBy: action.to.join(', ') } : { connected: false };
    this.pending.push(action);
    return this.suspend();
  }

  async hangup(): Promise<void> {
    this.pending.push({ kind: 'hangup' });
  }

  /** The next input, if it is of the kind the scenario now waits for. */
  private take(kind: 'heard' | 'transferred'): DialogueInput | undefined {
    if (this.o.abort.signal.aborted) throw new CallAbortedError(this.o.terminal ?? SUSPENDED);
    const next = this.inputs[this.cursor];
    if (!next) return undefined;
    if (next.input.kind !== kind) {
      this.outOfStep = `input ${this.cursor + 1} is "${next.input.kind}" where the scenario waits for "${kind}"`;
      this.o.abort.abort(new CallAbortedError('out_of_step'));
      throw new CallAbortedError('out_of_step');
    }
    this.cursor++;
    this.pending = [];
    this.nowMs = Math.max(this.nowMs, next.atMs);
    return next.input;
  }

  private suspend(): never {
    const reason = this.o.terminal ?? SUSPENDED;
    if (!this.o.terminal) this.suspended = true;
    this.o.abort.abort(new CallAbortedError(reason));
    throw new CallAbortedError(reason);
  }
}

/**
 * A spoken answer is passed on as heard. A key press answers the question too: a branch whose
 * keywords include the key wins; otherwise key N chooses the N-th branch, as "press 1 for yes".
 */
function heardOf(input: Extract<DialogueInput, { kind: 'heard' }>, expect: Branch[]): Heard {
  const digit = input.dtmf?.trim();
  if (!digit) return { text: input.text, ...(input.confidence !== undefined ? { confidence: input.confidence } : {}) };
  if (expect.some((b) => b.keywords.some((k) => k.trim() === digit))) return { text: digit, confidence: 1 };
  const branch = /^[1-9]$/.test(digit) ? expect[Number(digit) - 1] : undefined;
  const phrase = branch ? phrasesOf(branch)[0] : undefined;
  return { text: phrase ?? digit, confidence: 1 };
}
