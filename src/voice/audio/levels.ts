import type { Pcm } from './pcm.js';

/** Largest absolute sample value, 0..32768. */
export function peak(pcm: Pcm): number {
  let max = 0;
  for (const s of pcm.samples) {
    const a = s < 0 ? -s : s;
    if (a > max) max = a;
  }
  return max;
}

/** Root mean square of the samples (0 for empty input), in sample units. */
export function rms(pcm: Pcm): number {
  const n = pcm.samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (const s of pcm.samples) sum += s * s;
  return Math.sqrt(sum / n);
}

/** A level in sample units expressed in dB relative to full scale (−Infinity for 0). */
export function toDbfs(level: number): number {
  return 20 * Math.log10(level / 32767);
}

/**
 * True when nothing in `pcm` rises above `thresholdDbfs` (default −50 dBFS, below the noise floor
 * of any real recording): an "audio" file that is in fact silence.
 */
export function isSilent(pcm: Pcm, thresholdDbfs = -50): boolean {
  return toDbfs(peak(pcm)) < thresholdDbfs;
}
