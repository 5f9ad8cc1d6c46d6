import { assertSampleRate, type Pcm } from './pcm.js';
import { WaveFile } from './waveFile.js';

/**
 * Converts `pcm` to `rate` with wavefile's resampler: cubic interpolation plus a zero-phase
 * Butterworth low-pass at the lower Nyquist frequency, so downsampling speech from espeak-ng's
 * 22 050 Hz to 8 kHz does not fold the 4–11 kHz band back into the telephone band as hiss.
 */
export function resample(pcm: Pcm, rate: number): Pcm {
  assertSampleRate(rate);
  if (pcm.sampleRate === rate) return { sampleRate: rate, samples: pcm.samples.slice() };
  const outLength = Math.floor((pcm.samples.length * rate) / pcm.sampleRate);
  // The interpolator needs two points to work between; shorter input carries no signal anyway.
  if (pcm.samples.length < 2 || outLength === 0) return { sampleRate: rate, samples: new Int16Array(outLength) };
  const wav = new WaveFile();
  wav.fromScratch(1, pcm.sampleRate, '16', pcm.samples);
  wav.toSampleRate(rate);
  // getSamples is typed as Float64Array but returns an instance of the container class passed in.
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
  return { sampleRate: rate, samples };
}
