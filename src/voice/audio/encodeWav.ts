import { assertSampleRate, type Pcm } from './pcm.js';
import { WaveFile } from './waveFile.js';

/** Encodes `pcm` as a canonical 44-byte-header, 16-bit PCM, mono WAV file. */
export function encodeWav(pcm: Pcm): Buffer {
  assertSampleRate(pcm.sampleRate);
  const wav = new WaveFile();
  wav.fromScratch(1, pcm.sampleRate, '16', pcm.samples);
  const bytes = wav.toBuffer();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
