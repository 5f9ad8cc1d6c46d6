import { decodeRecording, type RecordingContentType } from './decodeRecording.js';
import { readWavLayout } from './wavLayout.js';

/** Checks a downloaded recording is playable audio of its declared type; its duration and channels. */
export type RecordingInfo = { ok: true; durationMs: number; channels: number; sampleRate: number } | { ok: false; reason: string };

export async function inspectRecording(bytes: Uint8Array, contentType: RecordingContentType): Promise<RecordingInfo> {
  if (contentType === 'audio/wav') {
    // The layout alone is enough for a WAV: no need to decode an hour of samples to learn its length.
    const r = readWavLayout(bytes);
    if (!r.ok) return { ok: false, reason: r.reason };
    return { ok: true, durationMs: Math.round((r.layout.frames * 1000) / r.layout.sampleRate), channels: r.layout.channels, sampleRate: r.layout.sampleRate };
  }
  try {
    const a = await decodeRecording(bytes, contentType);
    const frames = a.channels[0]?.length ?? 0;
    if (frames === 0) return { ok: false, reason: 'empty' };
    return { ok: true, durationMs: Math.round((frames * 1000) / a.sampleRate), channels: a.channels.length, sampleRate: a.sampleRate };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
