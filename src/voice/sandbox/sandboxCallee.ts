import { CallAbortedError } from '../../scenario/media.js';
import type { CallAction, CallEngine, DialogueInput } from '../port.js';
import { transferTargetOf } from './callees.js';
import type { SandboxMedia } from './sandboxMedia.js';

/**
 * The sandbox's side of the interpreter loop: hands the engine what happened on the line, performs
 * the actions it gets back on the simulated line (speech takes its time, the simulated callee
 * answers questions, an operator picks up a transfer) and hands back the answer, until a hang-up.
 */
export async function converse(o: {
  engine: Pick<CallEngine, 'advance'>;
  attemptId: string;
  first: DialogueInput;
  media: SandboxMedia;
  /** Simulated ms since answer (so step times do not depend on machine speed). */
  elapsedMs(): number;
  signal: AbortSignal;
}): Promise<void> {
  let input: DialogueInput | undefined = o.first;
  for (let step = 0; input; step++) {
    const reply = await o.engine.advance(o.attemptId, step, input, { elapsedMs: Math.round(o.elapsedMs()) });
    if (o.signal.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new CallAbortedError('aborted');
    input = await perform(reply.actions, o.media);
  }
}

/** Performs one batch; returns the answer of its last action, or undefined when the call is over. */
async function perform(actions: CallAction[], media: SandboxMedia): Promise<DialogueInput | undefined> {
  for (const a of actions) {
    switch (a.kind) {
      case 'say':
        await media.say(a.text);
        break;
      case 'play':
      case 'pause':
        await media.pause(a.kind === 'pause' ? a.seconds : 1);
        break;
      case 'transfer': {
        const r = await media.transfer({ kind: 'phone', number: a.to[0] ?? '' });
        const behaviour = transferTargetOf(a.to[0] ?? '');
        return { kind: 'transferred', connected: r.connected, result: r.connected ? 'answered' : behaviour === 'busy' ? 'busy' : behaviour === 'fail' ? 'failed' : 'no_answer' };
      }
      case 'hangup':
        await media.hangup();
        return undefined;
    }
    if ('listen' in a && a.listen) {
      const key = a.listen.dtmf ? await media.pressKey() : undefined;
      if (key) return { kind: 'heard', text: '', dtmf: key };
      const heard = await media.listen({ timeoutSec: a.listen.timeoutSec, hints: a.listen.hints, expect: a.listen.expect });
      return { kind: 'heard', text: heard.text, ...(heard.confidence !== undefined ? { confidence: heard.confidence } : {}) };
    }
  }
  // Nothing left to do and no hang-up: a transfer is bridged; the call ends when the operator is done.
  return undefined;
}
