import { peak } from './levels.js';
import { toInt16, type Pcm } from './pcm.js';

/** Scales `pcm` by `db` decibels (negative attenuates), saturating at full scale. */
export function gain(pcm: Pcm, db: number): Pcm {
  const factor = 10 ** (db / 20);
  const samples = new Int16Array(pcm.samples.length);
  for (let i = 0; i < samples.length; i++) samples[i] = toInt16((pcm.samples[i] ?? 0) * factor);
  return { sampleRate: pcm.sampleRate, samples };
}

/**
 * Scales `pcm` so its peak sits at `targetDbfs` (default −6 dBFS, leaving headroom for `mix`).
 * Silence is returned unchanged rather than amplified noise.
 */
export function normalizePeak(pcm: Pcm, targetDbfs = -6): Pcm {
  const p = peak(pcm);
  if (p === 0) return { sampleRate: pcm.sampleRate, samples: pcm.samples.slice() };
  return gain(pcm, targetDbfs - 20 * Math.log10(p / 32767));
}
