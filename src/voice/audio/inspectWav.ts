import { decodeSamples } from './decodeWav.js';
import { isSilent } from './levels.js';
import { sniffFileType, type SniffedFileType } from './sniffFileType.js';
import { readWavLayout, type WavCodec, type WavRejectReason, type WavWarning } from './wavLayout.js';

/** A WAV that passed validation. */
export interface WavInfoOk {
  ok: true;
  format: WavCodec;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Playing time of the complete frames present, ms (rounded). */
  durationMs: number;
  /** Informational: the file decodes to silence (peak below −50 dBFS). Not a rejection. */
  silent: boolean;
  /** Tolerated oddities, for logs and support. */
  warnings: WavWarning[];
}

/** A buffer that is not an acceptable WAV. */
export interface WavInfoRejected {
  ok: false;
  /** Stable code; the caller maps it to a translated message. */
  reason: WavRejectReason;
  /** For `not_riff`: what the file seems to be instead, when recognisable. */
  detected?: SniffedFileType;
}

export type WavInfo = WavInfoOk | WavInfoRejected;

/** Options of `inspectWav`. */
export interface InspectWavOptions {
  /** Longest accepted duration in ms. Default 60 000 (an answering-machine greeting). */
  maxDurationMs?: number;
}

/**
 * Validates that `buf` really is a WAV file we can play: RIFF/WAVE header, a consistent fmt chunk
 * with a supported encoding, a data chunk that is present in full and not empty, and a duration
 * no longer than the maximum. Never throws and never reads past the buffer.
 */
export function inspectWav(buf: Uint8Array, opts: InspectWavOptions = {}): WavInfo {
  const result = readWavLayout(buf);
  if (!result.ok) {
    const detected = result.reason === 'not_riff' ? sniffFileType(buf) : undefined;
    return detected ? { ok: false, reason: result.reason, detected } : { ok: false, reason: result.reason };
  }
  const { layout } = result;
  const durationMs = Math.round((layout.frames * 1000) / layout.sampleRate);
  if (durationMs > (opts.maxDurationMs ?? 60_000)) return { ok: false, reason: 'too_long' };
  // Decoding is bounded by the duration check above (≤ a few MB of samples).
  const samples = decodeSamples(buf, layout);
  return {
    ok: true,
    format: layout.codec,
    channels: layout.channels,
    sampleRate: layout.sampleRate,
    bitsPerSample: layout.bitsPerSample,
    durationMs,
    silent: isSilent({ sampleRate: layout.sampleRate, samples }),
    warnings: layout.warnings,
  };
}
