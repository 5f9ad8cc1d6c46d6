import { decodeRecording, RecordingDecodeError } from './decodeRecording.js';
import { decodeWav, WavDecodeError } from './decodeWav.js';
import type { Pcm } from './pcm.js';

/**
 * Where stored originals become PCM for their MP3 copy: WAV (every codec `decodeWav` reads) and
 * FLAC (Voximplant's stereo recordings, both parties mixed into the one channel a CRM player
 * needs). Runs in the MP3 encoder's thread (mp3Worker.ts), off the event loop.
 */
/** The failure code a recording no decoder reads carries across threads (see mp3Worker.ts). */
export const UNDECODABLE = 'undecodable';

export class UndecodableRecording extends Error {
  constructor(readonly reason: string) {
    super(`no decoder for this recording: ${reason}`);
    this.name = 'UndecodableRecording';
  }
}

/** PCM of an original recording; UndecodableRecording when no decoder reads it (a permanent state). */
export async function pcmOf(bytes: Uint8Array, contentType: string): Promise<Pcm> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'audio/wav' || type === 'audio/x-wav' || type === 'audio/wave') {
    try {
      return decodeWav(bytes);
    } catch (e) {
      if (e instanceof WavDecodeError) throw new UndecodableRecording(e.reason);
      throw e;
    }
  }
  if (type === 'audio/flac') {
    try {
      const audio = await decodeRecording(bytes, 'audio/flac');
      return { sampleRate: audio.sampleRate, samples: mixDown(audio.channels) };
    } catch (e) {
      if (e instanceof RecordingDecodeError) throw new UndecodableRecording(e.message);
      throw e;
    }
  }
  throw new UndecodableRecording(`unsupported type ${type}`);
}

/** Both parties of a stereo call in one channel (the mean, so neither clips). */
function mixDown(channels: Int16Array[]): Int16Array {
  if (channels.length === 1) return channels[0]!;
  const n = Math.max(0, ...channels.map((c) => c.length));
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const c of channels) sum += c[i] ?? 0;
    out[i] = Math.round(sum / channels.length);
  }
  return out;
}
