import fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../../threads/serveJobs.js';
import type { Segment } from './recorder.js';
import { renderRecording } from './renderRecording.js';
import { EspeakSynthesizer } from './speech/espeakSynthesizer.js';
import { GeneratedSynthesizer } from './speech/generatedSynthesizer.js';
import type { SpeechSynthesizer } from './speech/speechSynthesizer.js';

/**
 * The thread that renders sandbox recordings (see renderThread.ts): speech synthesis, tones and the
 * mix of a whole call, then its WAV. A real platform does this on its own machines; the sandbox
 * shares Dozvon's process, and on the event loop rendering took ~2.6 ms of every call at 50 calls a
 * second (profile of the 50/s pacing run). The synthesizer and its cache of phrases live here; the
 * WAV is stored here too, and its bytes go back to the platform.
 */
export interface RenderJob {
  /** Segments as recorded; a greeting's WAV arrives as plain bytes. */
  segments: (Exclude<Segment, { kind: 'wav' }> | { atMs: number; kind: 'wav'; wav: Uint8Array })[];
  talkMs: number;
  lang: 'ru' | 'en';
  /** Where the WAV is stored (written whole: a temporary file, then renamed). */
  file: string;
}

export interface RenderWorkerData {
  /** The synthesizer main chose (espeak-ng probed there once). */
  speech: SpeechSynthesizer['kind'];
}

const { speech } = workerData as RenderWorkerData;
const synth: SpeechSynthesizer = speech === 'espeak' ? new EspeakSynthesizer() : new GeneratedSynthesizer();

serveJobs<RenderJob, Uint8Array>(async (job) => {
  const segments = job.segments.map((s): Segment => (s.kind === 'wav' ? { ...s, wav: Buffer.from(s.wav.buffer, s.wav.byteOffset, s.wav.byteLength) } : s));
  const wav = await renderRecording(synth, { segments }, job.talkMs, job.lang);
  // Written here, in this thread's own time: on the event loop each file operation was a wake-up
  // of Node's file-system threads.
  fs.writeFileSync(`${job.file}.tmp`, wav, { mode: 0o600 });
  fs.renameSync(`${job.file}.tmp`, job.file);
  // A WAV this size is never a slice of Node's small-buffer pool; should one be, it is copied.
  const own = wav.byteOffset === 0 && wav.byteLength === wav.buffer.byteLength ? wav : Buffer.from(wav);
  return { result: own, transfer: [own.buffer as ArrayBuffer] };
});
