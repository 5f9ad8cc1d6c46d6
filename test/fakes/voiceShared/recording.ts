import { decodeWav } from '../../../src/voice/audio/index.js';
import { renderRecording } from '../../../src/voice/sandbox/renderRecording.js';
import type { Recorder } from '../../../src/voice/sandbox/recorder.js';
import { GeneratedSynthesizer } from '../../../src/voice/sandbox/speech/index.js';
import { WaveFile } from '../../../src/voice/audio/waveFile.js';
import { encodeFlac } from './flacEncoder.js';

/**
 * A platform emulator's recording of one call, both sides on their own channel the way the
 * platform lays them out: Twilio-family WAV with the call's own leg (the callee) first,
 * Voximplant FLAC with the callee on the right. Speech is Dozvon's own generated voices (a woman
 * sounds higher than a man), so gender estimation has something real to listen to.
 */
const synth = new GeneratedSynthesizer();

async function channel(rec: Recorder, talkMs: number, lang: 'ru' | 'en'): Promise<Int16Array> {
  return decodeWav(await renderRecording(synth, rec, talkMs, lang)).samples;
}

async function both(callee: Recorder, line: Recorder, talkMs: number, lang: 'ru' | 'en'): Promise<{ callee: Int16Array; line: Int16Array }> {
  const [c, l] = await Promise.all([channel(callee, talkMs, lang), channel(line, talkMs, lang)]);
  const n = Math.max(c.length, l.length);
  const pad = (x: Int16Array) => (x.length === n ? x : Int16Array.from({ length: n }, (_, i) => x[i] ?? 0));
  return { callee: pad(c), line: pad(l) };
}

export async function stereoWav(callee: Recorder, line: Recorder, talkMs: number, lang: 'ru' | 'en', calleeFirst: boolean): Promise<Buffer> {
  const x = await both(callee, line, talkMs, lang);
  const wav = new WaveFile();
  wav.fromScratch(2, 8000, '16', calleeFirst ? [x.callee, x.line] : [x.line, x.callee]);
  const bytes = wav.toBuffer();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function stereoFlac(callee: Recorder, line: Recorder, talkMs: number, lang: 'ru' | 'en'): Promise<Buffer> {
  const x = await both(callee, line, talkMs, lang);
  return encodeFlac([x.line, x.callee], 8000);
}

/**
 * A silent two-channel 8 kHz WAV of the call's length, for benches: built as one header and a block
 * of zeros. Synthesising silence sample by sample took ~85 ms of the emulator's event loop per
 * call, which delayed every webhook it was sending meanwhile (and so every time it measured).
 */
export function silentStereoWav(talkMs: number): Buffer {
  const dataBytes = Math.round((talkMs / 1000) * 8000) * 2 * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // PCM format chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(2, 22); // channels
  wav.writeUInt32LE(8000, 24); // sample rate
  wav.writeUInt32LE(8000 * 2 * 2, 28); // byte rate
  wav.writeUInt16LE(4, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  return wav;
}
