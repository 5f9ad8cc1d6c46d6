import os from 'node:os';
import { assertSampleRate, type Pcm } from './pcm.js';

/**
 * Encodes `pcm` as a canonical 44-byte-header, 16-bit PCM, mono WAV file. Written out here rather
 * than through wavefile: its generic per-sample packer took 49 ms for 20 s of 8 kHz audio — every
 * sandbox call's recording, on the event loop — where a header and one copy take well under 1 ms.
 */
export function encodeWav(pcm: Pcm): Buffer {
  assertSampleRate(pcm.sampleRate);
  const dataBytes = pcm.samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // size of the format chunk
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(pcm.sampleRate, 24);
  out.writeUInt32LE(pcm.sampleRate * 2, 28); // bytes per second
  out.writeUInt16LE(2, 32); // bytes per frame
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  const samples = new Int16Array(out.buffer, out.byteOffset + 44, pcm.samples.length);
  samples.set(pcm.samples);
  // WAV is little-endian; Int16Array is in the machine's order.
  if (os.endianness() === 'BE') out.subarray(44).swap16();
  return out;
}
