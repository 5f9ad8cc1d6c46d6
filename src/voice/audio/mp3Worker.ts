import fs from 'node:fs';
import os from 'node:os';
import { createMp3Encoder } from 'wasm-media-encoders';
import { serveJobs, type Done } from '../../threads/serveJobs.js';
import { mp3Input, type Mp3Input, type Mp3Kbps } from './mp3Input.js';
import type { Pcm } from './pcm.js';
import { pcmOf, UNDECODABLE, UndecodableRecording } from './recordingPcm.js';

/**
 * The MP3 encoder's thread (see encodeMp3.ts): LAME is compiled once when the thread starts and
 * then encodes one recording after another. It is given either PCM or a stored original's bytes,
 * and does all the work on them here — decoding, raising the rate, encoding — so none of it is on
 * the event loop.
 */
export type Mp3Source = { pcm: Pcm } | { recording: Uint8Array; contentType: string };

export type Mp3Job = { kbps?: Mp3Kbps } & Mp3Source;

export interface Mp3Done {
  mp3: Uint8Array;
  /** The recording's length. */
  durationMs: number;
}

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

function encode(job: Mp3Input): Uint8Array {
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

async function handle(job: Mp3Job): Promise<Done<Mp3Done>> {
  let pcm: Pcm;
  try {
    pcm = 'pcm' in job ? job.pcm : await pcmOf(job.recording, job.contentType);
  } catch (e) {
    if (e instanceof UndecodableRecording) throw Object.assign(new Error(e.reason), { code: UNDECODABLE });
    throw e;
  }
  const mp3 = encode(mp3Input(pcm, job.kbps));
  return { result: { mp3, durationMs: Math.round((pcm.samples.length * 1000) / pcm.sampleRate) }, transfer: [mp3.buffer as ArrayBuffer] };
}

// Jobs overlap only while a FLAC decoder starts; LAME's part of each runs whole, one at a time.
serveJobs(handle);
