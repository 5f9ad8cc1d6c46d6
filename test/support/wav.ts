import { encodeWav, tone } from '../../src/voice/audio/index.js';

/** A short, valid 8 kHz mono WAV tone for upload tests. */
export function makeWav(o: { ms: number; hz: number }): Buffer {
  return encodeWav(tone([o.hz], o.ms, 8000, { amplitude: 0.3 }));
}
