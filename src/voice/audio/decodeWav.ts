import { ALAW_TO_LINEAR, MULAW_TO_LINEAR } from './g711.js';
import { toInt16, type Pcm } from './pcm.js';
import { readWavLayout, type WavLayout, type WavRejectReason } from './wavLayout.js';

/** Thrown by `decodeWav` for input that is not a WAV we can decode; `reason` is a stable code. */
export class WavDecodeError extends Error {
  constructor(readonly reason: WavRejectReason) {
    super(`not a decodable WAV: ${reason}`);
    this.name = 'WavDecodeError';
  }
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit, float 32/64, µ-law, A-law; 1–8 channels; any rate from
 * 1 to 384 kHz) to mono 16-bit `Pcm` at the file's own rate. Channels are averaged. Files written
 * by streaming tools with placeholder sizes (espeak-ng --stdout) are accepted.
 * @throws WavDecodeError when the buffer is not such a file.
 */
export function decodeWav(buf: Uint8Array): Pcm {
  const result = readWavLayout(buf);
  if (!result.ok) throw new WavDecodeError(result.reason);
  return { sampleRate: result.layout.sampleRate, samples: decodeSamples(buf, result.layout) };
}

/** Decodes the frames described by `layout` (already checked to lie inside `buf`) to mono Int16. */
export function decodeSamples(buf: Uint8Array, layout: WavLayout): Int16Array {
  const { channels, frames, blockAlign, dataOffset } = layout;
  const view = new DataView(buf.buffer, buf.byteOffset + dataOffset, frames * blockAlign);
  const read = sampleReader(layout, view, buf, dataOffset);
  const bytesPerSample = blockAlign / channels;
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const base = f * blockAlign;
    for (let c = 0; c < channels; c++) sum += read(base + c * bytesPerSample);
    out[f] = toInt16(sum / channels);
  }
  return out;
}

/** Decodes the frames described by `layout` to one Int16 array per channel (no mixing). */
export function decodeChannels(buf: Uint8Array, layout: WavLayout): Int16Array[] {
  const { channels, frames, blockAlign, dataOffset } = layout;
  const view = new DataView(buf.buffer, buf.byteOffset + dataOffset, frames * blockAlign);
  const read = sampleReader(layout, view, buf, dataOffset);
  const bytesPerSample = blockAlign / channels;
  const out = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let f = 0; f < frames; f++) {
    const base = f * blockAlign;
    for (let c = 0; c < channels; c++) out[c]![f] = toInt16(read(base + c * bytesPerSample));
  }
  return out;
}

/** Returns a function reading one sample at a byte position inside the data, scaled to ±32768. */
function sampleReader(layout: WavLayout, view: DataView, buf: Uint8Array, dataOffset: number): (at: number) => number {
  switch (layout.codec) {
    case 'mulaw':
      return (at) => MULAW_TO_LINEAR[buf[dataOffset + at] ?? 0xff] ?? 0;
    case 'alaw':
      return (at) => ALAW_TO_LINEAR[buf[dataOffset + at] ?? 0xd5] ?? 0;
    case 'float':
      return layout.bitsPerSample === 64
        ? (at) => floatToScale(view.getFloat64(at, true))
        : (at) => floatToScale(view.getFloat32(at, true));
    case 'pcm':
      switch (layout.bitsPerSample) {
        case 8:
          return (at) => (view.getUint8(at) - 128) * 256; // 8-bit WAV is unsigned
        case 16:
          return (at) => view.getInt16(at, true);
        case 24:
          return (at) => (view.getUint8(at) | (view.getInt16(at + 1, true) * 256)) / 256;
        default:
          return (at) => view.getInt32(at, true) / 65536;
      }
  }
}

function floatToScale(x: number): number {
  // NaN or infinities in a float file would otherwise poison the channel average.
  return Number.isFinite(x) ? x * 32768 : 0;
}
