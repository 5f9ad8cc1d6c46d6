/**
 * The one in-memory audio format every audio utility works on: mono, signed 16-bit samples at a
 * given rate. Utilities never mutate their inputs; they return new `Pcm` values.
 */
export interface Pcm {
  /** Samples per second, e.g. 8000. */
  readonly sampleRate: number;
  /** Mono samples, full scale is ±32767. */
  readonly samples: Int16Array;
}

/**
 * The rate of the whole sandbox recording pipeline (synthesizers, tones, mixes, stored WAVs).
 * 8 kHz is what a real telephone call carries (G.711), so sandbox recordings sound and weigh like
 * the recordings a real platform would hand over (16 KB/s as 16-bit PCM).
 */
export const RECORDING_SAMPLE_RATE = 8000;

/** Duration of `pcm` in milliseconds (fractional). */
export function durationMs(pcm: Pcm): number {
  return (pcm.samples.length * 1000) / pcm.sampleRate;
}

/** Number of whole samples covering `ms` milliseconds at `rate` (rounded to nearest, never negative). */
export function samplesForMs(ms: number, rate: number): number {
  return Math.max(0, Math.round((ms * rate) / 1000));
}

/** Throws a RangeError unless `rate` is a usable sample rate. */
export function assertSampleRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 384_000) {
    throw new RangeError(`sample rate must be an integer between 1000 and 384000, got ${rate}`);
  }
}

/** Throws a RangeError unless every input has the same rate; returns that rate. */
export function commonRate(inputs: readonly Pcm[]): number {
  const first = inputs[0];
  if (!first) throw new RangeError('at least one Pcm is required');
  for (const p of inputs) {
    // Silently resampling here would hide a pipeline bug: the caller picks one rate and converts once.
    if (p.sampleRate !== first.sampleRate) {
      throw new RangeError(`sample rates differ (${first.sampleRate} vs ${p.sampleRate}); resample() first`);
    }
  }
  return first.sampleRate;
}

/** Rounds and saturates a float sample to the Int16 range. */
export function toInt16(x: number): number {
  if (x >= 32767) return 32767;
  if (x <= -32768) return -32768;
  return Math.round(x);
}
