import type { Pcm } from './pcm.js';

/**
 * Cuts leading and trailing stretches quieter than `thresholdDbfs` (default −45 dBFS), keeping
 * `keepMs` (default 10 ms) of them so word onsets and decays are not clipped. Returns an empty Pcm
 * when nothing is louder than the threshold.
 */
export function trimSilence(pcm: Pcm, opts: { thresholdDbfs?: number; keepMs?: number } = {}): Pcm {
  const threshold = 32767 * 10 ** ((opts.thresholdDbfs ?? -45) / 20);
  const keep = Math.round(((opts.keepMs ?? 10) * pcm.sampleRate) / 1000);
  const s = pcm.samples;
  let first = 0;
  while (first < s.length && Math.abs(s[first] ?? 0) <= threshold) first++;
  if (first === s.length) return { sampleRate: pcm.sampleRate, samples: new Int16Array(0) };
  let last = s.length - 1;
  while (last > first && Math.abs(s[last] ?? 0) <= threshold) last--;
  return { sampleRate: pcm.sampleRate, samples: s.slice(Math.max(0, first - keep), Math.min(s.length, last + 1 + keep)) };
}
