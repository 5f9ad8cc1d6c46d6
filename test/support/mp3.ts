/**
 * Walks an MP3 file frame by frame (MPEG-1/2/2.5 Layer III headers), so tests can check that what
 * Dozvon serves is a well-formed stream and how long it plays, without a decoder.
 */
const BITRATES: Record<'v1' | 'v2', number[]> = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

export interface Mp3Walk {
  frames: number;
  sampleRate: number;
  channels: number;
  durationMs: number;
  /** Bytes that were not part of a frame (must be 0 for a clean stream). */
  garbage: number;
}

export function walkMp3(buf: Uint8Array): Mp3Walk {
  let at = 0;
  let frames = 0;
  let samples = 0;
  let sampleRate = 0;
  let channels = 0;
  let garbage = 0;
  while (at + 4 <= buf.length) {
    const b1 = buf[at + 1]!;
    if (buf[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || ((b1 >> 1) & 3) !== 1) {
      garbage++;
      at++;
      continue;
    }
    const version = (b1 >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    const b2 = buf[at + 2]!;
    const rate = RATES[version]?.[(b2 >> 2) & 3];
    const kbps = BITRATES[version === 3 ? 'v1' : 'v2'][b2 >> 4];
    if (!rate || !kbps) {
      garbage++;
      at++;
      continue;
    }
    const perFrame = version === 3 ? 1152 : 576;
    const padding = (b2 >> 1) & 1;
    const size = Math.floor(((perFrame / 8) * kbps * 1000) / rate) + padding;
    sampleRate = rate;
    channels = (buf[at + 3]! >> 6) === 3 ? 1 : 2;
    frames++;
    samples += perFrame;
    at += size;
  }
  return { frames, sampleRate, channels, durationMs: sampleRate ? (samples * 1000) / sampleRate : 0, garbage: garbage + Math.max(0, buf.length - at) };
}
