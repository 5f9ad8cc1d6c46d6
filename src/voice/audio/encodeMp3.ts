import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../spawnWorker.js';
import { resample } from './resample.js';
import type { Pcm } from './pcm.js';
import type { Mp3Job, Mp3Reply } from './mp3Worker.js';

/**
 * `pcm → mp3`: what the CRMs' players get (amoCRM's feed plays only `audio/mpeg`; Bitrix24 takes
 * it too). LAME compiled to WebAssembly (wasm-media-encoders) runs in one worker thread that lives
 * as long as recordings keep coming, so a minute of speech costs the event loop almost nothing — no
 * system binaries, no native addons. One thread for all: starting a thread and compiling LAME for
 * each recording cost ~300 ms of CPU, more than encoding 30 s of speech (~140 ms); at 50 calls a
 * second that start-up alone took a core (bench `pacing`, profile of the 50/s run).
 *
 * Telephone audio (8 kHz) is raised to 16 kHz first: 8 kHz MP3 is MPEG-2.5, an unofficial
 * extension some players refuse; 16 kHz is plain MPEG-2 and plays everywhere. Speech needs little:
 * mono 32 kbit/s up to 24 kHz, 64 kbit/s above.
 */
const MPEG_RATES = [16_000, 22_050, 24_000, 32_000, 44_100, 48_000] as const;

function targetRate(rate: number): number {
  if ((MPEG_RATES as readonly number[]).includes(rate)) return rate;
  return MPEG_RATES.find((r) => r >= rate) ?? 48_000;
}

export interface Mp3Options {
  /** Overrides the bitrate chosen for the rate (kbit/s). */
  kbps?: Mp3Job['kbps'];
}

/**
 * 8 → 16 kHz (and 11.025 → 22.05, 12 → 24) by linear interpolation: a thousand times faster than the
 * general resampler on the main thread (30 s of speech: 0.2 ms vs 230 ms), and the images it leaves
 * above the old Nyquist frequency sit in the band the encoder's low-pass cuts anyway.
 */
function doubleRate(pcm: Pcm): Pcm {
  const x = pcm.samples;
  const out = new Int16Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    out[2 * i] = a;
    out[2 * i + 1] = (a + (x[i + 1] ?? a)) >> 1;
  }
  return { sampleRate: pcm.sampleRate * 2, samples: out };
}

/** Encodes mono PCM as an MP3 file (frames only, no ID3 tag). */
export async function encodeMp3(pcm: Pcm, o: Mp3Options = {}): Promise<Buffer> {
  const rate = targetRate(pcm.sampleRate) as Mp3Job['sampleRate'];
  const converted = rate !== pcm.sampleRate;
  const input = !converted ? pcm : rate === pcm.sampleRate * 2 ? doubleRate(pcm) : resample(pcm, rate);
  // An empty recording still becomes a valid (silent) file: one frame of silence. The samples
  // travel to the thread without a copy when they are ours; the caller's are copied first.
  const samples = input.samples.length === 0 ? new Int16Array(1152) : converted ? input.samples : input.samples.slice();
  const kbps = o.kbps ?? (rate <= 24_000 ? 32 : 64);
  const mp3 = await encoderThread.encode(samples, rate, kbps);
  return Buffer.from(mp3.buffer, mp3.byteOffset, mp3.byteLength);
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
  private readonly pending = new Map<number, { resolve: (mp3: Uint8Array) => void; reject: (e: Error) => void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  encode(samples: Int16Array, sampleRate: Mp3Job['sampleRate'], kbps: Mp3Job['kbps']): Promise<Uint8Array> {
    const worker = this.worker ?? this.start();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: Mp3Job = { id, samples, sampleRate, kbps };
      worker.postMessage(job, [samples.buffer as ArrayBuffer]);
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
    if ('mp3' in reply) job?.resolve(reply.mp3);
    else job?.reject(new Error(`the MP3 encoder failed: ${reply.error}`));
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
