import { commonRate, samplesForMs, toInt16, type Pcm } from './pcm.js';

/**
 * Overlays `b` on `a`, starting `offsetMs` after the start of `a` (e.g. the callee talking over
 * the bot). The result lasts until the later of the two ends; overlapping samples are added and
 * saturated rather than wrapped. Both inputs must share one sample rate.
 */
export function mix(a: Pcm, b: Pcm, offsetMs: number): Pcm {
  const sampleRate = commonRate([a, b]);
  if (!(offsetMs >= 0)) throw new RangeError(`offsetMs must be ≥ 0, got ${offsetMs}`);
  const offset = samplesForMs(offsetMs, sampleRate);
  const samples = new Int16Array(Math.max(a.samples.length, offset + b.samples.length));
  samples.set(a.samples);
  for (let i = 0; i < b.samples.length; i++) {
    samples[offset + i] = toInt16((samples[offset + i] ?? 0) + (b.samples[i] ?? 0));
  }
  return { sampleRate, samples };
}
