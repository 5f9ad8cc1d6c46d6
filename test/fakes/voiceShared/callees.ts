import { MAGIC_NUMBERS, type CalleeBehaviour } from '../../../src/voice/sandbox/callees.js';

export { transferTargetOf, type TransferTargetBehaviour } from '../../../src/voice/sandbox/callees.js';

/**
 * Who answers a call placed on a platform emulator: the sandbox's table of magic numbers (shared/
 * ARCHITECTURE.md), so one end-to-end suite runs the same cases against the sandbox and every
 * emulator, plus what a test scripts for a number (answer by keys, a transfer target's behaviour).
 */
export interface EmulatedCallee {
  behaviour: CalleeBehaviour;
  gender: 'female' | 'male';
  /** What the callee answers each question with, in turn; empty = silence. */
  answers: Answer[];
  /** Simulated seconds of ringing before pick-up. */
  ringSec: number;
}

/** One answer: agree or decline in the question's language, words of one's own, or a key press. */
export type Answer = { intent: 'agree' | 'decline' } | { speech: string } | { dtmf: string } | { silence: true };


const REPLIES = {
  agree: { ru: 'да, интересно', en: 'yes, I am interested' },
  decline: { ru: 'нет, не интересно', en: 'no, not interested' },
};

/** What the callee says or presses for an answer, in the language the question was asked in. */
export function replyOf(a: Answer | undefined, lang: 'ru' | 'en'): { speech?: string; dtmf?: string } {
  if (!a || 'silence' in a) return {};
  if ('intent' in a) return { speech: REPLIES[a.intent][lang] };
  return a;
}

export function calleeOf(number: string, overrides: Map<string, Partial<EmulatedCallee>>): EmulatedCallee {
  const digits = number.replace(/^sip:/, '').replace(/@.*$/, '').replace(/\D/g, '');
  const own = overrides.get(digits) ?? overrides.get(`+${digits}`);
  const magic = MAGIC_NUMBERS[digits.slice(-4)];
  const base: EmulatedCallee = magic
    ? {
        behaviour: magic.behaviour,
        gender: magic.gender,
        ringSec: magic.ringSec,
        answers:
          magic.persona === 'agree' ? [{ intent: 'agree' }] : magic.persona === 'decline' ? [{ intent: 'decline' }] : magic.persona === 'keys' ? [{ dtmf: '1' }, { dtmf: '1' }, { dtmf: '1' }] : [],
      }
    : { behaviour: 'human', gender: 'female', ringSec: 2, answers: [{ intent: 'agree' }] };
  return { ...base, ...own };
}

/** Sleeps `simMs` of simulated time scaled to real time; rejects when the signal aborts. */
export function sleepScaled(simMs: number, scale: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, simMs * scale));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
