import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../spawnWorker.js';
import type { Mp3Kbps } from './mp3Input.js';
import type { Mp3Job, Mp3Reply, Mp3Source } from './mp3Worker.js';
import type { Pcm } from './pcm.js';
import { UndecodableRecording } from './recordingPcm.js';

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
  const { mp3 } = await encoderThread.run({ pcm: { sampleRate: pcm.sampleRate, samples: pcm.samples.slice() } }, o.kbps);
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
  return encoderThread.run({ recording: whole ? bytes : new Uint8Array(bytes), contentType });
}

/**
 * The encoder thread: started by the first recording, kept while recordings come (never keeping
 * the process alive), ended after a minute without one. A thread that fails fails the recordings
 * it had (the sweeper makes them again); the next one starts a new thread.
 */
const IDLE_MS = 60_000;

class EncoderThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (done: { mp3: Buffer; durationMs: number }) => void; reject: (e: Error) => void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  run(source: Mp3Source, kbps?: Mp3Kbps): Promise<{ mp3: Buffer; durationMs: number }> {
    const worker = this.worker ?? this.start();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: Mp3Job = { id, ...source, ...(kbps ? { kbps } : {}) };
      const moved = 'pcm' in source ? source.pcm.samples.buffer : source.recording.buffer;
      worker.postMessage(job, [moved as ArrayBuffer]);
    });
  }

  private start(): Worker {
    const worker = spawnWorker('voice/audio/mp3Worker');
    worker.on('message', (reply: Mp3Reply) => this.settle(reply));
    worker.on('error', (e: Error) => this.fail(worker, e));
    worker.on('exit', (code) => this.fail(worker, new Error(`the MP3 encoder thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: Mp3Reply): void {
    const job = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if ('mp3' in reply) job?.resolve({ mp3: Buffer.from(reply.mp3.buffer, reply.mp3.byteOffset, reply.mp3.byteLength), durationMs: reply.durationMs });
    else job?.reject(reply.undecodable ? new UndecodableRecording(reply.error) : new Error(`the MP3 encoder failed: ${reply.error}`));
    if (this.pending.size === 0) this.idle();
  }

  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS).unref();
  }

  private fail(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    for (const job of this.pending.values()) job.reject(e);
    this.pending.clear();
    void worker.terminate();
  }
}

const encoderThread = new EncoderThread();
