import { JobThread } from '../../threads/jobThread.js';
import type { Mp3Kbps } from './mp3Input.js';
import type { Mp3Done, Mp3Job, Mp3Source } from './mp3Worker.js';
import type { Pcm } from './pcm.js';
import { UNDECODABLE, UndecodableRecording } from './recordingPcm.js';

/**
 * `pcm → mp3`: what the CRMs' players get (amoCRM's feed plays only `audio/mpeg`; Bitrix24 takes
 * it too). LAME compiled to WebAssembly (wasm-media-encoders) runs in one worker thread that lives
 * as long as recordings keep coming, so a minute of speech costs the event loop almost nothing — no
 * system binaries, no native addons. One thread for all: starting a thread and compiling LAME for
 * each recording cost ~300 ms of CPU, more than encoding 30 s of speech (~140 ms); at 50 calls a
 * second that start-up alone took a core (bench `pacing`, profile of the 50/s run). The thread
 * also decodes the original and raises its rate (mp3Input.ts): on the event loop those took
 * ~0.75 ms a call at 50 calls a second.
 */
export interface Mp3Options {
  /** Overrides the bitrate chosen for the rate (kbit/s). */
  kbps?: Mp3Kbps;
}

/** Encodes mono PCM as an MP3 file (frames only, no ID3 tag). The caller's samples are left as they were. */
export async function encodeMp3(pcm: Pcm, o: Mp3Options = {}): Promise<Buffer> {
  const samples = pcm.samples.slice();
  const { mp3 } = await encode({ pcm: { sampleRate: pcm.sampleRate, samples } }, samples.buffer, o.kbps);
  return mp3;
}

/**
 * The MP3 copy of a stored original (WAV or FLAC) and the original's length; UndecodableRecording
 * when no decoder reads it. `bytes` is handed to the encoder's thread: the caller must not use it
 * afterwards.
 */
export async function encodeRecordingMp3(bytes: Buffer, contentType: string): Promise<{ mp3: Buffer; durationMs: number }> {
  // A buffer that is a slice of a larger one (Node's small-buffer pool) is copied rather than moved.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const recording = whole ? bytes : new Uint8Array(bytes);
  return encode({ recording, contentType }, recording.buffer);
}

/** The encoder's thread; a recording no decoder reads comes back as UndecodableRecording. */
const encoderThread = new JobThread<Mp3Job, Mp3Done>({
  name: 'voice/audio/mp3Worker',
  failure: (message, code) => (code === UNDECODABLE ? new UndecodableRecording(message) : new Error(`the MP3 encoder failed: ${message}`)),
});

async function encode(source: Mp3Source, moved: ArrayBufferLike, kbps?: Mp3Kbps): Promise<{ mp3: Buffer; durationMs: number }> {
  const done = await encoderThread.run({ ...source, ...(kbps ? { kbps } : {}) }, [moved as ArrayBuffer]);
  return { mp3: Buffer.from(done.mp3.buffer, done.mp3.byteOffset, done.mp3.byteLength), durationMs: done.durationMs };
}
