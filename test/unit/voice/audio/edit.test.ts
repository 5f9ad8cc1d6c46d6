import { describe, expect, it } from 'vitest';
import { concat } from '../../../../src/voice/audio/concat.js';
import { gain, normalizePeak } from '../../../../src/voice/audio/gain.js';
import { silence, tone } from '../../../../src/voice/audio/generate.js';
import { isSilent, peak, rms, toDbfs } from '../../../../src/voice/audio/levels.js';
import { mix } from '../../../../src/voice/audio/mix.js';
import { durationMs, type Pcm } from '../../../../src/voice/audio/pcm.js';
import { resample } from '../../../../src/voice/audio/resample.js';
import { trimSilence } from '../../../../src/voice/audio/trimSilence.js';
import { magnitudeAt, zeroCrossingHz } from './support/signal.js';

const pcm = (values: number[], sampleRate = 8000): Pcm => ({ sampleRate, samples: Int16Array.from(values) });

describe('concat', () => {
  it('joins inputs end to end, summing their lengths', () => {
    const joined = concat(tone([425], 1000, 8000), silence(4000, 8000), pcm([1, 2, 3]));
    expect(joined.samples.length).toBe(8000 + 32000 + 3);
    expect(durationMs(joined)).toBeCloseTo(5000.375, 3);
    expect(Array.from(joined.samples.subarray(-3))).toEqual([1, 2, 3]);
  });

  it('refuses to join different sample rates', () => {
    expect(() => concat(silence(10, 8000), silence(10, 16000))).toThrow(/resample/);
  });

  it('does not mutate its inputs', () => {
    const a = pcm([1, 2]);
    concat(a, a).samples[0] = 99;
    expect(Array.from(a.samples)).toEqual([1, 2]);
  });
});

describe('mix', () => {
  it('overlays b at the offset; the result lasts until the later end', () => {
    const a = silence(1000, 8000);
    const b = tone([1000], 300, 8000);
    expect(mix(a, b, 200).samples.length).toBe(8000);
    expect(mix(a, b, 900).samples.length).toBe(8000 + 1600);
    expect(mix(a, b, 2000).samples.length).toBe(16000 + 2400);
    const placed = mix(a, b, 500);
    expect(peak({ sampleRate: 8000, samples: placed.samples.subarray(0, 4000) })).toBe(0);
    expect(magnitudeAt(placed, 1000, 4000, 6400)).toBeGreaterThan(0.2);
  });

  it('adds overlapping samples and saturates instead of wrapping around', () => {
    expect(Array.from(mix(pcm([100, 30000, -30000]), pcm([5, 10000, -10000]), 0).samples)).toEqual([105, 32767, -32768]);
  });

  it('rejects a negative offset and mismatched rates', () => {
    expect(() => mix(pcm([1]), pcm([1]), -1)).toThrow(RangeError);
    expect(() => mix(pcm([1]), pcm([1], 16000), 0)).toThrow(RangeError);
  });
});

describe('gain and levels', () => {
  it('+6 dB doubles, −6 dB halves, and clipping saturates', () => {
    expect(Array.from(gain(pcm([1000, -1000, 20000]), 6.0206).samples)).toEqual([2000, -2000, 32767]);
    expect(Array.from(gain(pcm([1000, -1000]), -6.0206).samples)).toEqual([500, -500]);
  });

  it('normalizePeak puts the peak at the target level and leaves silence alone', () => {
    const loud = normalizePeak(tone([440], 100, 8000, { amplitude: 0.05 }), -6);
    expect(toDbfs(peak(loud))).toBeCloseTo(-6, 1);
    expect(Array.from(normalizePeak(pcm([0, 0])).samples)).toEqual([0, 0]);
  });

  it('measures peak, RMS and silence', () => {
    const t = tone([1000], 1000, 8000, { amplitude: 0.5, fadeMs: 0 });
    expect(rms(t) / peak(t)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(isSilent(t)).toBe(false);
    expect(isSilent(silence(100, 8000))).toBe(true);
    expect(isSilent(pcm([50, -50]))).toBe(true); // −56 dBFS
    expect(rms(pcm([]))).toBe(0);
  });
});

describe('resample', () => {
  it('keeps duration and frequency when going down from 22 050 Hz to 8 kHz', () => {
    const down = resample(tone([1000], 1000, 22050), 8000);
    expect(down.sampleRate).toBe(8000);
    expect(down.samples.length).toBe(8000);
    expect(zeroCrossingHz(down)).toBeCloseTo(1000, -1);
  });

  it('filters out what the lower rate cannot carry instead of aliasing it', () => {
    // 6 kHz at 8 kHz would fold to 2 kHz; the anti-alias filter removes it.
    const down = resample(tone([6000], 1000, 22050, { amplitude: 0.5 }), 8000);
    expect(magnitudeAt(down, 2000)).toBeLessThan(0.01);
    expect(peak(down)).toBeLessThan(0.02 * 32767);
  });

  it('goes up from 8 kHz to 44.1 kHz', () => {
    const up = resample(tone([425], 500, 8000), 44100);
    expect(up.samples.length).toBe(22050);
    expect(zeroCrossingHz(up)).toBeCloseTo(425, -1);
  });

  it('copies at the same rate and copes with empty and one-sample input', () => {
    const same = pcm([1, 2, 3]);
    const copy = resample(same, 8000);
    expect(copy.samples).toEqual(same.samples);
    expect(copy.samples).not.toBe(same.samples);
    expect(resample(pcm([]), 16000).samples.length).toBe(0);
    expect(resample(pcm([5]), 16000).samples.length).toBe(2);
    expect(() => resample(same, 0)).toThrow(RangeError);
  });
});

describe('trimSilence', () => {
  it('cuts quiet edges but keeps a few milliseconds around the sound', () => {
    const padded = concat(silence(500, 8000), tone([440], 200, 8000, { fadeMs: 0 }), silence(500, 8000));
    const trimmed = trimSilence(padded, { keepMs: 10 });
    expect(trimmed.samples.length).toBeGreaterThanOrEqual(1600);
    expect(trimmed.samples.length).toBeLessThanOrEqual(1600 + 160 + 2);
    expect(trimSilence(silence(100, 8000)).samples.length).toBe(0);
  });
});
