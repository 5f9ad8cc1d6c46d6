import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { createMp3Encoder } from 'wasm-media-encoders';

/**
 * The MP3 encoder's thread (see encodeMp3.ts): LAME is compiled once when the thread starts and
 * then encodes one recording after another.
 */
export interface Mp3Job {
  id: number;
  /** Mono 16-bit PCM at a rate MP3 has. */
  samples: Int16Array;
  sampleRate: 16_000 | 22_050 | 24_000 | 32_000 | 44_100 | 48_000;
  kbps: 32 | 64;
}

export type Mp3Reply = { id: number; mp3: Uint8Array } | { id: number; error: string };

// LAME takes float samples; a few seconds at a time keeps the copy small for long recordings.
const CHUNK = 1 << 16;

/**
 * The MP3 is background work (the CRMs link it seconds later, the sweeper retries what is missed),
 * while the event loop places calls on time and answers the platforms' webhooks. At 50 calls a
 * second on two cores LAME alone wanted more than a core and delayed the dispatcher's starts
 * (bench `pacing`). On Linux a thread has its own nice value: this one yields the CPU to the rest.
 * Elsewhere (no /proc/thread-self) the thread keeps the process's priority.
 */
function yieldCpu(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, os.constants.priority.PRIORITY_LOW);
  } catch {
    // not Linux, or not allowed: the encoder runs at the process's priority
  }
}
yieldCpu();

const encoder = await createMp3Encoder();

function encode(job: Mp3Job): Uint8Array {
  encoder.configure({ channels: 1, sampleRate: job.sampleRate, bitrate: job.kbps });
  const parts: Uint8Array[] = [];
  const floats = new Float32Array(Math.min(CHUNK, job.samples.length));
  for (let at = 0; at < job.samples.length; at += CHUNK) {
    const chunk = job.samples.subarray(at, at + CHUNK);
    const f = chunk.length === floats.length ? floats : floats.subarray(0, chunk.length);
    for (let i = 0; i < chunk.length; i++) f[i] = chunk[i]! / 32768;
    // The encoder owns what it returns and reuses it on the next call: copied.
    parts.push(encoder.encode([f]).slice());
  }
  parts.push(encoder.finalize().slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

parentPort!.on('message', (job: Mp3Job) => {
  let reply: Mp3Reply;
  try {
    reply = { id: job.id, mp3: encode(job) };
  } catch (e) {
    reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply, 'mp3' in reply ? [reply.mp3.buffer as ArrayBuffer] : []);
});
