import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { WavDecodeError, decodeWav } from '../../../../src/voice/audio/decodeWav.js';
import { extensibleExtra, fmtBody, pcm16Bytes, riffWave, sineSamples } from '../../../fixtures/audio/wavFixtures.js';
import { magnitudeAt } from './support/signal.js';

const { WaveFile } = wavefile;

/** A wavefile-made file: `samples` are 16-bit values, converted by wavefile to `bitDepth`. */
function wavefileWav(samples: Int16Array | Int16Array[], rate: number, bitDepth: string): Buffer {
  const wav = new WaveFile();
  const channels = Array.isArray(samples) ? samples.length : 1;
  wav.fromScratch(channels, rate, '16', Array.isArray(samples) ? samples.map((s) => Array.from(s)) : Array.from(samples));
  if (bitDepth === 'mulaw') wav.toMuLaw();
  else if (bitDepth === 'alaw') wav.toALaw();
  else if (bitDepth !== '16') wav.toBitDepth(bitDepth);
  return Buffer.from(wav.toBuffer());
}

function maxDiff(a: Int16Array, b: Int16Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

describe('decodeWav', () => {
  const tone = sineSamples(440, 250, 8000, 0.6);

  it.each([
    // wavefile scales positive and negative halves differently; two 8-bit steps cover it.
    ['8-bit unsigned PCM', '8', 512],
    ['24-bit PCM', '24', 1],
    ['32-bit PCM', '32', 1],
    ['32-bit float', '32f', 1],
    ['64-bit float', '64', 1],
  ])('decodes %s to the original samples', (_name, depth, tolerance) => {
    const back = decodeWav(wavefileWav(tone, 8000, depth));
    expect(back.sampleRate).toBe(8000);
    expect(back.samples.length).toBe(tone.length);
    expect(maxDiff(back.samples, tone)).toBeLessThanOrEqual(tolerance);
  });

  it.each([
    ['µ-law', 'mulaw'],
    ['A-law', 'alaw'],
  ])('decodes %s within G.711 quantisation error and matches wavefile’s own decoder', (_name, codec) => {
    const file = wavefileWav(tone, 8000, codec);
    expect(file.readUInt16LE(20)).toBe(codec === 'mulaw' ? 7 : 6);
    const back = decodeWav(file);
    expect(back.samples.length).toBe(tone.length);
    // G.711 keeps 4 mantissa bits: error ≤ 1/32 of the magnitude, plus a little near zero.
    tone.forEach((s, i) => expect(Math.abs((back.samples[i] ?? 0) - s)).toBeLessThanOrEqual(Math.abs(s) / 32 + 16));
    const reference = new WaveFile(file);
    if (codec === 'mulaw') reference.fromMuLaw();
    else reference.fromALaw();
    const expected = reference.getSamples(false, Int16Array) as unknown as Int16Array;
    expect(maxDiff(back.samples, expected)).toBeLessThanOrEqual(8);
  });

  it('decodes a 44.1 kHz stereo float file by averaging the channels', () => {
    const left = sineSamples(1000, 100, 44100, 0.5);
    const right = sineSamples(3000, 100, 44100, 0.5);
    const back = decodeWav(wavefileWav([left, right], 44100, '32f'));
    expect(back.sampleRate).toBe(44100);
    expect(back.samples.length).toBe(left.length);
    left.forEach((l, i) => expect(Math.abs((back.samples[i] ?? 0) - ((l + (right[i] ?? 0)) / 2))).toBeLessThanOrEqual(1));
    expect(magnitudeAt(back, 1000)).toBeCloseTo(0.25, 1);
    expect(magnitudeAt(back, 3000)).toBeCloseTo(0.25, 1);
  });

  it('cancels opposite-phase stereo channels and keeps identical ones', () => {
    const inverse = tone.map((s) => -s);
    expect(decodeWav(wavefileWav([tone, inverse], 8000, '16')).samples.every((s) => Math.abs(s) <= 1)).toBe(true);
    expect(decodeWav(wavefileWav([tone, tone], 8000, '16')).samples).toEqual(tone);
  });

  it('reads 8-bit PCM as unsigned with 128 as zero', () => {
    const file = riffWave([{ id: 'fmt ', body: fmtBody({ bitsPerSample: 8 }) }, { id: 'data', body: Uint8Array.from([0, 128, 255]) }]);
    expect(Array.from(decodeWav(file).samples)).toEqual([-32768, 0, 32512]);
  });

  it('decodes WAVE_FORMAT_EXTENSIBLE files (24-bit PCM and float sub-formats)', () => {
    const pcm24 = Buffer.alloc(tone.length * 3);
    tone.forEach((s, i) => pcm24.writeIntLE(s * 256, i * 3, 3));
    const file = riffWave([
      { id: 'fmt ', body: fmtBody({ formatTag: 0xfffe, bitsPerSample: 24, extra: extensibleExtra(1, 24, 4) }) },
      { id: 'data', body: pcm24 },
    ]);
    expect(decodeWav(file).samples).toEqual(tone);
    const floats = Buffer.alloc(tone.length * 4);
    tone.forEach((s, i) => floats.writeFloatLE(s / 32768, i * 4));
    const floatFile = riffWave([
      { id: 'fmt ', body: fmtBody({ formatTag: 0xfffe, bitsPerSample: 32, extra: extensibleExtra(3, 32) }) },
      { id: 'data', body: floats },
    ]);
    expect(decodeWav(floatFile).samples).toEqual(tone);
  });

  it('accepts the placeholder sizes streaming writers such as espeak-ng --stdout put in the header', () => {
    const file = riffWave([{ id: 'fmt ', body: fmtBody({ sampleRate: 22050 }) }, { id: 'data', body: pcm16Bytes(tone), declaredSize: 0x7ffff000 }], {
      riffSize: 0x7ffff024,
    });
    const back = decodeWav(file);
    expect(back.sampleRate).toBe(22050);
    expect(back.samples).toEqual(tone);
  });

  it('skips unknown chunks, honours odd-size padding, and finds fmt after data', () => {
    const file = riffWave([
      { id: 'junk', body: new Uint8Array(7) },
      { id: 'data', body: pcm16Bytes(tone) },
      { id: 'LIST', body: Buffer.from('INFO', 'latin1') },
      { id: 'fmt ', body: fmtBody() },
    ]);
    expect(decodeWav(file).samples).toEqual(tone);
  });

  it('maps NaN and infinite float samples to silence rather than noise', () => {
    const floats = Buffer.alloc(12);
    floats.writeFloatLE(Number.NaN, 0);
    floats.writeFloatLE(Number.POSITIVE_INFINITY, 4);
    floats.writeFloatLE(2, 8); // over full scale: clipped
    const file = riffWave([{ id: 'fmt ', body: fmtBody({ formatTag: 3, bitsPerSample: 32 }) }, { id: 'data', body: floats }]);
    expect(Array.from(decodeWav(file).samples)).toEqual([0, 0, 32767]);
  });

  it('throws WavDecodeError with the rejection reason for non-WAV input', () => {
    const attempt = () => decodeWav(Buffer.from('<html>not audio</html>'));
    expect(attempt).toThrow(WavDecodeError);
    expect(attempt).toThrow(/not_riff/);
    try {
      attempt();
    } catch (e) {
      expect((e as WavDecodeError).reason).toBe('not_riff');
    }
  });
});
