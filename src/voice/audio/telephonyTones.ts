import { concat } from './concat.js';
import { silence, tone } from './generate.js';
import { samplesForMs, type Pcm } from './pcm.js';

/** An on/off pattern of a network tone. */
export interface Cadence {
  /** Frequencies summed while the tone is on, Hz. */
  frequencies: readonly number[];
  /** Tone on, ms. */
  onMs: number;
  /** Tone off, ms. */
  offMs: number;
}

/** Russian ringback (GOST / Rostelecom practice): 425 Hz, 1 s on, 4 s off. */
export const RINGBACK_RU: Cadence = { frequencies: [425], onMs: 1000, offMs: 4000 };
/** North American ringback: 440 + 480 Hz, 2 s on, 4 s off. */
export const RINGBACK_US: Cadence = { frequencies: [440, 480], onMs: 2000, offMs: 4000 };
/** Russian busy tone: 425 Hz, 0.35 s on, 0.35 s off. */
export const BUSY_RU: Cadence = { frequencies: [425], onMs: 350, offMs: 350 };
/** North American busy tone: 480 + 620 Hz, 0.5 s on, 0.5 s off. */
export const BUSY_US: Cadence = { frequencies: [480, 620], onMs: 500, offMs: 500 };

/** Options shared by the telephony tone generators. */
export interface TelephonyToneOptions {
  /** Sample rate of the result. */
  sampleRate: number;
  /** Peak level as a fraction of full scale. Default 0.3. */
  amplitude?: number;
}

/**
 * Repeats `cadence` for exactly `durationMs` (the last period is cut where the time runs out,
 * with a short fade, as when the callee picks up mid-ring).
 */
export function cadencedTone(cadence: Cadence, durationMs: number, opts: TelephonyToneOptions): Pcm {
  const { sampleRate } = opts;
  const on = tone(cadence.frequencies, cadence.onMs, sampleRate, { amplitude: opts.amplitude ?? 0.3 });
  const period = concat(on, silence(cadence.offMs, sampleRate)).samples;
  if (period.length === 0) throw new RangeError('a cadence needs a positive period');
  const total = samplesForMs(durationMs, sampleRate);
  const samples = new Int16Array(total);
  for (let at = 0; at < total; at += period.length) samples.set(period.subarray(0, total - at), at);
  fadeOut(samples, samplesForMs(5, sampleRate));
  return { sampleRate, samples };
}

/** Ramps the last `n` samples down to zero in place (a tone cut mid-way would otherwise click). */
function fadeOut(samples: Int16Array, n: number): void {
  const len = Math.min(n, samples.length);
  for (let k = 0; k < len; k++) {
    const i = samples.length - 1 - k;
    samples[i] = Math.round((samples[i] ?? 0) * (k / len));
  }
}

/** Ringback ("long beeps") heard while the callee's phone rings. Default cadence: Russian. */
export function ringback(durationMs: number, opts: TelephonyToneOptions & { cadence?: Cadence }): Pcm {
  return cadencedTone(opts.cadence ?? RINGBACK_RU, durationMs, opts);
}

/** Busy tone ("short beeps"). Default cadence: Russian. */
export function busyTone(durationMs: number, opts: TelephonyToneOptions & { cadence?: Cadence }): Pcm {
  return cadencedTone(opts.cadence ?? BUSY_RU, durationMs, opts);
}

/** The beep after an answering machine's greeting: ~1 kHz for 0.5 s. */
export function answeringMachineBeep(opts: TelephonyToneOptions & { frequencyHz?: number; durationMs?: number }): Pcm {
  return tone([opts.frequencyHz ?? 1000], opts.durationMs ?? 500, opts.sampleRate, { amplitude: opts.amplitude ?? 0.4 });
}

/**
 * Special information tone (ITU-T E.180): 950, 1400 and 1800 Hz, 330 ms each with 30 ms gaps,
 * played before "the number you have dialled does not exist".
 */
export function specialInformationTone(opts: TelephonyToneOptions): Pcm {
  const { sampleRate } = opts;
  const amplitude = opts.amplitude ?? 0.3;
  const gap = silence(30, sampleRate);
  return concat(
    tone([950], 330, sampleRate, { amplitude }),
    gap,
    tone([1400], 330, sampleRate, { amplitude }),
    gap,
    tone([1800], 330, sampleRate, { amplitude }),
  );
}
