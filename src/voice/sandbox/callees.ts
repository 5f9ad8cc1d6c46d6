import crypto from 'node:crypto';

/**
 * Who answers a sandbox call. Numbers ending in the magic four digits behave the same every time;
 * any other number draws from a seeded, configurable mix, so runs are reproducible.
 */
export type CalleeBehaviour = 'busy' | 'no_answer' | 'machine' | 'human' | 'short' | 'failure' | 'invalid' | 'platform_error';
/** `keys`: answers every question by pressing 1 (DTMF) instead of speaking. */
export type Persona = 'agree' | 'decline' | 'undecided' | 'silent' | 'keys';

export interface CalleeProfile {
  behaviour: CalleeBehaviour;
  gender: 'female' | 'male';
  persona: Persona;
  /** Simulated seconds of ringing before the callee picks up. */
  ringSec: number;
}

export const MAGIC_NUMBERS: Record<string, CalleeProfile & { description: string }> = {
  '0001': { behaviour: 'busy', gender: 'male', persona: 'silent', ringSec: 0, description: 'busy' },
  '0002': { behaviour: 'no_answer', gender: 'male', persona: 'silent', ringSec: 0, description: 'no answer (rings until timeout)' },
  '0003': { behaviour: 'machine', gender: 'female', persona: 'silent', ringSec: 3, description: 'answering machine (greeting, beep)' },
  '0004': { behaviour: 'human', gender: 'female', persona: 'agree', ringSec: 4, description: 'a woman answers and agrees' },
  '0005': { behaviour: 'short', gender: 'male', persona: 'silent', ringSec: 3, description: 'a human answers and hangs up within 2 s' },
  '0006': { behaviour: 'failure', gender: 'male', persona: 'silent', ringSec: 0, description: 'technical failure of the operator (SIP 503)' },
  '0007': { behaviour: 'human', gender: 'male', persona: 'decline', ringSec: 5, description: 'a man answers and declines' },
  '0008': { behaviour: 'invalid', gender: 'male', persona: 'silent', ringSec: 0, description: 'number does not exist' },
  '0010': { behaviour: 'human', gender: 'female', persona: 'keys', ringSec: 3, description: 'a woman answers every question by pressing 1' },
  '0009': { behaviour: 'platform_error', gender: 'male', persona: 'silent', ringSec: 0, description: 'the platform refuses the request (technical error, retried with backoff)' },
};

export type Mix = Record<'human' | 'no_answer' | 'busy' | 'machine' | 'short' | 'failed' | 'invalid', number>;
export const DEFAULT_MIX: Mix = { human: 40, no_answer: 20, busy: 10, machine: 15, short: 5, failed: 5, invalid: 5 };

/** Parses SANDBOX_MIX ("human=40,busy=10,…"); unknown keys or bad numbers are configuration errors. */
export function parseMix(spec: string | undefined): Mix {
  if (!spec) return DEFAULT_MIX;
  const mix: Mix = { human: 0, no_answer: 0, busy: 0, machine: 0, short: 0, failed: 0, invalid: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v, extra] = part.split('=').map((x) => x.trim());
    // Own keys only: `in` would also accept "toString" or "__proto__".
    if (!k || !Object.hasOwn(mix, k) || v === undefined || extra !== undefined || !/^\d+(\.\d+)?$/.test(v)) {
      throw new Error(`SANDBOX_MIX: cannot read "${part}"`);
    }
    mix[k as keyof Mix] = Number(v);
  }
  if (Object.values(mix).every((x) => x === 0)) throw new Error('SANDBOX_MIX: all weights are zero');
  return mix;
}

/**
 * How a transfer target answers in the sandbox and the platform emulators: numbers ending 0001 are
 * busy, 0002 never answer, 0008 do not exist (the transfer fails); every other number answers.
 */
export type TransferTargetBehaviour = 'answer' | 'busy' | 'no_answer' | 'fail';

export function transferTargetOf(number: string): TransferTargetBehaviour {
  const tail = number.replace(/\D/g, '').slice(-4);
  return tail === '0001' ? 'busy' : tail === '0002' ? 'no_answer' : tail === '0008' ? 'fail' : 'answer';
}

/** Deterministic 0..1 from strings. */
export function seededUnit(...parts: string[]): number {
  const h = crypto.createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

const BEHAVIOUR_OF: Record<keyof Mix, CalleeBehaviour> = {
  human: 'human',
  no_answer: 'no_answer',
  busy: 'busy',
  machine: 'machine',
  short: 'short',
  failed: 'failure',
  invalid: 'invalid',
};

/** The profile for a number; `nth` counts earlier calls to it, so redials can turn out differently. */
export function calleeFor(e164: string, seed: string, mix: Mix, nth: number): CalleeProfile {
  const magic = MAGIC_NUMBERS[e164.slice(-4)];
  if (magic) return magic;
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let roll = seededUnit(seed, e164, String(nth), 'outcome') * total;
  let kind: keyof Mix = 'human';
  for (const [k, w] of Object.entries(mix) as [keyof Mix, number][]) {
    if (roll < w) {
      kind = k;
      break;
    }
    roll -= w;
  }
  const personas: Persona[] = ['agree', 'decline', 'undecided'];
  return {
    behaviour: BEHAVIOUR_OF[kind],
    gender: seededUnit(seed, e164, 'gender') < 0.5 ? 'female' : 'male',
    persona: personas[Math.floor(seededUnit(seed, e164, String(nth), 'persona') * personas.length)]!,
    ringSec: 2 + Math.floor(seededUnit(seed, e164, String(nth), 'ring') * 8),
  };
}
