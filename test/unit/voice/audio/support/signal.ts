/**
 * Measurements for audio tests: frequency by zero crossings and by a single-bin DFT (Goertzel),
 * fundamental frequency by autocorrelation, and levels. Test-only; deliberately simple.
 */
import type { Pcm } from '../../../../../src/voice/audio/pcm.js';

/** Frequency estimate from rising zero crossings over the whole signal (pure tones only). */
export function zeroCrossingHz(pcm: Pcm): number {
  let crossings = 0;
  const s = pcm.samples;
  for (let i = 1; i < s.length; i++) if ((s[i - 1] ?? 0) < 0 && (s[i] ?? 0) >= 0) crossings++;
  return (crossings * pcm.sampleRate) / s.length;
}

/** Magnitude of the component at `hz` (Goertzel), normalised so a full-scale sine gives ~1. */
export function magnitudeAt(pcm: Pcm, hz: number, from = 0, to = pcm.samples.length): number {
  const n = to - from;
  const w = (2 * Math.PI * hz) / pcm.sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (pcm.samples[i] ?? 0) / 32767 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** RMS of a sample range, in sample units. */
export function rmsOf(pcm: Pcm, from = 0, to = pcm.samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (pcm.samples[i] ?? 0) ** 2;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/**
 * Median fundamental frequency over voiced 40 ms frames (normalised autocorrelation peak between
 * 70 and 400 Hz). Returns the per-frame estimates too, for monotony checks.
 */
export function estimateF0(pcm: Pcm): { median: number; frames: number[] } {
  const rate = pcm.sampleRate;
  const frame = Math.round(rate * 0.04);
  const minLag = Math.floor(rate / 400);
  const maxLag = Math.ceil(rate / 70);
  const s = pcm.samples;
  const frames: number[] = [];
  for (let start = 0; start + frame + maxLag < s.length; start += frame) {
    let energy = 0;
    for (let i = 0; i < frame; i++) energy += (s[start + i] ?? 0) ** 2;
    if (energy / frame < 1000 ** 2) continue; // unvoiced or quiet
    const r: number[] = [];
    for (let lag = minLag; lag <= maxLag; lag++) {
      let c = 0;
      let e2 = 0;
      for (let i = 0; i < frame; i++) {
        const a = s[start + i] ?? 0;
        const b = s[start + i + lag] ?? 0;
        c += a * b;
        e2 += b * b;
      }
      r.push(c / Math.sqrt(energy * e2 + 1));
    }
    const best = Math.max(...r);
    // The shortest lag nearly as good as the best avoids octave errors (2×, 3× the period).
    const index = r.findIndex((v, i) => v >= 0.9 * best && v >= (r[i - 1] ?? -1) && v >= (r[i + 1] ?? -1));
    if (best > 0.6 && index >= 0) frames.push(rate / (minLag + index));
  }
  const sorted = [...frames].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, frames };
}
