import { describe, expect, it } from 'vitest';
import { estimateGender } from '../../../../src/voice/gender/estimateGender.js';

const RATE = 8000;

/**
 * A voice-like signal at telephone rate: a glottal pulse train at `hz` (falling harmonics, a slow
 * vibrato like speech intonation) in syllables of 200 ms separated by 100 ms of silence.
 */
function voice(hz: number, seconds: number, o: { amplitude?: number; noise?: number } = {}): Int16Array {
  const out = new Int16Array(Math.round(seconds * RATE));
  const amp = o.amplitude ?? 0.4;
  let phase = 0;
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    const f = hz * (1 + 0.04 * Math.sin(2 * Math.PI * 3 * t));
    phase += (2 * Math.PI * f) / RATE;
    const inSyllable = t % 0.3 < 0.2;
    let x = 0;
    for (let h = 1; h <= 8; h++) x += Math.sin(h * phase) / h;
    const v = inSyllable ? (amp * x) / 2 : 0;
    out[i] = Math.round(Math.max(-1, Math.min(1, v + (o.noise ?? 0) * rand())) * 32767);
  }
  return out;
}

describe('estimateGender: the callee’s channel of a recording', () => {
  it('a low voice is a man, a high voice a woman', () => {
    const man = estimateGender(voice(115, 3), RATE);
    expect(man.gender).toBe('male');
    expect(man.medianHz).toBeGreaterThan(100);
    expect(man.medianHz).toBeLessThan(130);
    const woman = estimateGender(voice(215, 3), RATE);
    expect(woman.gender).toBe('female');
    expect(woman.medianHz).toBeGreaterThan(195);
  });

  it('a voice between the two ranges is unknown, not a guess', () => {
    expect(estimateGender(voice(165, 3), RATE).gender).toBe('unknown');
  });

  it('silence, a lone short sound or pure line noise give unknown', () => {
    expect(estimateGender(new Int16Array(RATE * 3), RATE)).toEqual({ gender: 'unknown', medianHz: null, voicedSec: 0 });
    expect(estimateGender(voice(115, 0.03), RATE).gender).toBe('unknown');
    const noise = voice(115, 3, { amplitude: 0, noise: 0.3 });
    expect(estimateGender(noise, RATE).gender).toBe('unknown');
  });

  it('long silences around the voice (the bot talking on the other channel) do not change the answer', () => {
    const talk = voice(120, 2);
    const padded = new Int16Array(RATE * 30);
    padded.set(talk, RATE * 14);
    expect(estimateGender(padded, RATE).gender).toBe('male');
  });

  it('works at other sample rates (48 kHz FLAC from Voximplant)', () => {
    const rate = 48_000;
    const n = rate * 2;
    const s = new Int16Array(n);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      phase += (2 * Math.PI * 220) / rate;
      let x = 0;
      for (let h = 1; h <= 6; h++) x += Math.sin(h * phase) / h;
      s[i] = Math.round(x * 0.2 * 32767);
    }
    expect(estimateGender(s, rate).gender).toBe('female');
  });
});
