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
