import { describe, expect, it } from 'vitest';
import { silence, tone } from '../../../../src/voice/audio/generate.js';
import { peak } from '../../../../src/voice/audio/levels.js';
import { durationMs } from '../../../../src/voice/audio/pcm.js';
import {
  BUSY_RU,
  RINGBACK_US,
  answeringMachineBeep,
  busyTone,
  ringback,
  specialInformationTone,
} from '../../../../src/voice/audio/telephonyTones.js';
import { magnitudeAt, rmsOf, zeroCrossingHz } from './support/signal.js';

const RATE = 8000;
/** RMS of the 100 ms window starting at `ms`. */
const energyAt = (pcm: ReturnType<typeof tone>, ms: number) => rmsOf(pcm, (ms * RATE) / 1000, ((ms + 100) * RATE) / 1000);

describe('silence', () => {
  it('is the requested number of zero samples', () => {
    const s = silence(250, RATE);
    expect(s.samples.length).toBe(2000);
    expect(s.samples.every((x) => x === 0)).toBe(true);
  });
});

describe('tone', () => {
  it.each([425, 1000, 1400, 3000])('a %i Hz tone crosses zero at that frequency', (hz) => {
    const t = tone([hz], 1000, RATE);
    expect(t.samples.length).toBe(8000);
    expect(zeroCrossingHz(t)).toBeGreaterThan(hz * 0.99);
    expect(zeroCrossingHz(t)).toBeLessThan(hz * 1.01);
  });

  it('puts the energy at the requested frequencies and nowhere else', () => {
    const t = tone([440, 480], 1000, RATE, { amplitude: 0.6 });
    expect(magnitudeAt(t, 440)).toBeCloseTo(0.3, 1);
    expect(magnitudeAt(t, 480)).toBeCloseTo(0.3, 1);
    expect(magnitudeAt(t, 1000)).toBeLessThan(0.01);
    expect(peak(t)).toBeLessThanOrEqual(0.6 * 32767 + 1);
  });

  it('fades in and out so edges do not click', () => {
    const t = tone([1000], 100, RATE, { amplitude: 1 });
    expect(t.samples[0]).toBe(0);
    expect(Math.abs(t.samples.at(-1) ?? 1)).toBeLessThan(100);
    expect(peak(t)).toBeGreaterThan(32000);
  });

  it('works at other rates', () => {
    const t = tone([1000], 500, 44100);
    expect(t.samples.length).toBe(22050);
    expect(zeroCrossingHz(t)).toBeCloseTo(1000, -1);
  });
});

describe('telephony tones', () => {
  it('Russian ringback: 425 Hz, 1 s on, 4 s off, repeated for the requested time', () => {
    const r = ringback(11_000, { sampleRate: RATE });
    expect(durationMs(r)).toBe(11_000);
    for (const on of [100, 800, 5100, 5800, 10_100]) expect(energyAt(r, on)).toBeGreaterThan(1000);
    for (const off of [1100, 2500, 4800, 6200, 9000]) expect(energyAt(r, off)).toBe(0);
    expect(magnitudeAt(r, 425, 0, 8000)).toBeGreaterThan(0.2);
  });

  it('ringback cadence is a parameter', () => {
    const r = ringback(6000, { sampleRate: RATE, cadence: RINGBACK_US });
    expect(energyAt(r, 1500)).toBeGreaterThan(1000); // still ringing at 1.5 s: a 2 s ring
    expect(energyAt(r, 3000)).toBe(0);
    expect(magnitudeAt(r, 440, 0, 16000)).toBeGreaterThan(0.1);
    expect(magnitudeAt(r, 480, 0, 16000)).toBeGreaterThan(0.1);
    const custom = ringback(3000, { sampleRate: RATE, cadence: { frequencies: [400], onMs: 500, offMs: 500 } });
    expect(energyAt(custom, 1100)).toBeGreaterThan(1000);
    expect(energyAt(custom, 1600)).toBe(0);
  });

  it('busy tone: 425 Hz, 0.35 s on and off', () => {
    const b = busyTone(2100, { sampleRate: RATE });
    expect(durationMs(b)).toBe(2100);
    expect(BUSY_RU).toMatchObject({ onMs: 350, offMs: 350 });
    for (const on of [50, 750, 1450]) expect(energyAt(b, on)).toBeGreaterThan(1000);
    for (const off of [400, 1100, 1800]) expect(energyAt(b, off)).toBe(0);
    expect(zeroCrossingHz({ sampleRate: RATE, samples: b.samples.subarray(0, 2800) })).toBeCloseTo(425, -1);
  });

  it('a cut-off cadence ends quietly, as when the callee answers mid-ring', () => {
    const r = ringback(700, { sampleRate: RATE });
    expect(r.samples.length).toBe(5600);
    expect(Math.abs(r.samples.at(-1) ?? 1)).toBeLessThan(50);
  });

  it('answering-machine beep: 1 kHz for 0.5 s', () => {
    const beep = answeringMachineBeep({ sampleRate: RATE });
    expect(durationMs(beep)).toBe(500);
    expect(zeroCrossingHz(beep)).toBeGreaterThan(990);
    expect(zeroCrossingHz(beep)).toBeLessThan(1010);
  });

  it('special information tone: 950, 1400, 1800 Hz in sequence', () => {
    const sit = specialInformationTone({ sampleRate: RATE });
    expect(durationMs(sit)).toBe(330 * 3 + 60);
    const third = (k: number) => [Math.round(k * 360 * 8), Math.round((k * 360 + 330) * 8)] as const;
    expect(magnitudeAt(sit, 950, ...third(0))).toBeGreaterThan(0.2);
    expect(magnitudeAt(sit, 1400, ...third(1))).toBeGreaterThan(0.2);
    expect(magnitudeAt(sit, 1800, ...third(2))).toBeGreaterThan(0.2);
  });
});
