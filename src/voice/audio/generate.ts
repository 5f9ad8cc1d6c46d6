import { assertSampleRate, samplesForMs, toInt16, type Pcm } from './pcm.js';

/** `ms` milliseconds of digital silence at `rate`. */
export function silence(ms: number, rate: number): Pcm {
  assertSampleRate(rate);
  return { sampleRate: rate, samples: new Int16Array(samplesForMs(ms, rate)) };
}

/** Options of `tone`. */
export interface ToneOptions {
  /** Peak level of the summed tone as a fraction of full scale, 0..1. Default 0.3 (≈ −10 dBFS, a network tone's level). */
  amplitude?: number;
  /** Raised-cosine fade in and out, in ms, so tone edges do not click. Default 5; clamped to half the tone. */
  fadeMs?: number;
}

/**
 * `ms` milliseconds of the sum of sine waves at `frequencies` (Hz), e.g. `[425]` for a Russian
 * network tone or `[440, 480]` for North American ringback. Each component gets an equal share of
 * `amplitude`, so the sum never clips.
 */
export function tone(frequencies: readonly number[], ms: number, rate: number, opts: ToneOptions = {}): Pcm {
  assertSampleRate(rate);
  const amplitude = Math.min(1, Math.max(0, opts.amplitude ?? 0.3));
  const n = samplesForMs(ms, rate);
  const samples = new Int16Array(n);
  if (frequencies.length === 0) return { sampleRate: rate, samples };
  const scale = (amplitude * 32767) / frequencies.length;
  const fade = Math.min(samplesForMs(opts.fadeMs ?? 5, rate), Math.floor(n / 2));
  const steps = frequencies.map((f) => (2 * Math.PI * f) / rate);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const step of steps) sum += Math.sin(step * i);
    samples[i] = toInt16(sum * scale * edgeGain(i, n, fade));
  }
  return { sampleRate: rate, samples };
}

/** Raised-cosine ramp at both ends of an n-sample signal, 1 in between. */
function edgeGain(i: number, n: number, fade: number): number {
  const fromEdge = Math.min(i, n - 1 - i);
  if (fade <= 0 || fromEdge >= fade) return 1;
  return 0.5 - 0.5 * Math.cos((Math.PI * fromEdge) / fade);
}
