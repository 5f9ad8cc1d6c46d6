import { commonRate, type Pcm } from './pcm.js';

/** Joins the inputs end to end. All inputs must share one sample rate. */
export function concat(...parts: Pcm[]): Pcm {
  const sampleRate = commonRate(parts);
  let length = 0;
  for (const p of parts) length += p.samples.length;
  const samples = new Int16Array(length);
  let at = 0;
  for (const p of parts) {
    samples.set(p.samples, at);
    at += p.samples.length;
  }
  return { sampleRate, samples };
}
