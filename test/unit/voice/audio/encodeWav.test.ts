import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../../src/voice/audio/decodeWav.js';
import { encodeWav } from '../../../../src/voice/audio/encodeWav.js';
import { inspectWav } from '../../../../src/voice/audio/inspectWav.js';
import type { Pcm } from '../../../../src/voice/audio/pcm.js';

function ramp(n: number, rate: number): Pcm {
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = ((i * 997) % 65536) - 32768;
  return { sampleRate: rate, samples };
}

describe('encodeWav', () => {
  it('writes a canonical 44-byte-header 16-bit mono PCM file', () => {
    const wav = encodeWav(ramp(100, 8000));
    expect(wav.length).toBe(44 + 200);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('latin1', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('latin1', 36, 40)).toBe('data');
    expect(wav.readUInt32LE(40)).toBe(200);
  });

  it.each([8000, 16000, 22050, 44100, 48000])('round-trips every sample exactly at %i Hz', (rate) => {
    const pcm = ramp(3001, rate);
    const back = decodeWav(encodeWav(pcm));
    expect(back.sampleRate).toBe(rate);
    expect(back.samples).toEqual(pcm.samples);
  });

  it('produces files that pass upload validation', () => {
    const info = inspectWav(encodeWav(ramp(8000, 8000)));
    expect(info).toMatchObject({ ok: true, format: 'pcm', channels: 1, sampleRate: 8000, bitsPerSample: 16, durationMs: 1000 });
  });

  it('rejects an unusable sample rate instead of writing a broken header', () => {
    expect(() => encodeWav({ sampleRate: 0, samples: new Int16Array(1) })).toThrow(RangeError);
  });
});
