import { JobThread } from '../../threads/jobThread.js';
import type { Recorder } from './recorder.js';
import type { RenderJob, RenderWorkerData } from './renderWorker.js';
import type { SpeechSynthesizer } from './speech/speechSynthesizer.js';

/**
 * Sandbox recordings rendered off the event loop, in a thread of their own (renderWorker.ts), one
 * per kind of speech: the thread starts with the first recording and ends after a minute without
 * one. Not lowered in priority like the MP3 encoder: a sandbox call's "ended" waits for its
 * recording, as a real platform's hang-up carries its recording's address.
 */
const threads = new Map<SpeechSynthesizer['kind'], JobThread<RenderJob, Uint8Array>>();

/** Renders a call's recording, stores it in `file` and gives its bytes. */
export type RenderRecording = (recorder: Recorder, talkMs: number, lang: 'ru' | 'en', file: string) => Promise<Buffer>;

export function renderInThread(speech: SpeechSynthesizer['kind']): RenderRecording {
  let thread = threads.get(speech);
  if (!thread) {
    const data: RenderWorkerData = { speech };
    thread = new JobThread<RenderJob, Uint8Array>({
      name: 'voice/sandbox/renderWorker',
      workerData: data,
      failure: (message) => new Error(`rendering the recording failed: ${message}`),
    });
    threads.set(speech, thread);
  }
  const renderer = thread;
  return async (recorder, talkMs, lang, file) => {
    // Segments are copied to the thread; a greeting's bytes stay the caller's (they may be cached).
    const wav = await renderer.run({ segments: recorder.segments, talkMs, lang, file });
    return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  };
}
