/**
 * Reads the structure of a RIFF/WAVE file without decoding samples: where the audio is, how it is
 * encoded, and whether the declared sizes fit the bytes actually present. Shared by `inspectWav`
 * (upload validation) and `decodeWav`. Every read is bounds-checked, so garbage input yields a
 * reason code, never an exception and never a read past the buffer.
 */

/** Sample encodings we decode. */
export type WavCodec = 'pcm' | 'float' | 'mulaw' | 'alaw';

/**
 * Why a buffer is not a usable WAV. Stable codes (mapped to i18n messages; never renamed).
 * - `not_riff`: does not start with a RIFF header (e.g. an MP3, PNG or text file renamed to .wav)
 * - `not_wave`: a RIFF file of another kind (AVI, WebP…)
 * - `unsupported_container`: RIFX (big-endian) or RF64 (>4 GB) WAV
 * - `no_fmt_chunk`: the format description is missing
 * - `bad_fmt`: the format description is damaged or self-contradictory
 * - `unsupported_codec`: a real WAV whose encoding we do not decode (ADPCM, MP3-in-WAV, 12-bit,
 *   more than 8 channels, sample rate outside 1–384 kHz)
 * - `no_data_chunk`: no audio data chunk
 * - `empty`: the data chunk holds no complete sample
 * - `truncated`: the file ends before the sizes it declares (an interrupted upload or copy)
 * - `too_long`: longer than the allowed maximum (inspectWav only)
 */
export const WAV_REJECT_REASONS = [
  'not_riff',
  'not_wave',
  'unsupported_container',
  'no_fmt_chunk',
  'bad_fmt',
  'unsupported_codec',
  'no_data_chunk',
  'empty',
  'truncated',
  'too_long',
] as const;
export type WavRejectReason = (typeof WAV_REJECT_REASONS)[number];

/**
 * Tolerated oddities, reported for information.
 * - `streaming_sizes`: sizes are "unknown" placeholders written by a streaming writer (espeak-ng
 *   --stdout, ffmpeg to a pipe); the audio runs to the end of the file
 * - `short_data`: the data chunk is a few milliseconds shorter than declared (within tolerance)
 * - `partial_frame`: the data length is not a whole number of frames; the tail is ignored
 * - `riff_size_mismatch`: the RIFF header's total size disagrees with the file length
 */
export type WavWarning = 'streaming_sizes' | 'short_data' | 'partial_frame' | 'riff_size_mismatch';

/** Where and how the audio of a WAV is stored. */
export interface WavLayout {
  codec: WavCodec;
  channels: number;
  sampleRate: number;
  /** Bits per sample of one channel in the container (8, 16, 24, 32 or 64). */
  bitsPerSample: number;
  /** Bytes per frame (one sample of every channel). */
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Number of complete frames present. */
  frames: number;
  warnings: WavWarning[];
}

export type WavLayoutResult = { ok: true; layout: WavLayout } | { ok: false; reason: WavRejectReason };

/** How much shortfall of the data chunk is tolerated before the file counts as truncated. */
const TRUNCATION_TOLERANCE_MS = 20;

/** Sizes at or above this are placeholders of streaming writers, not real lengths. */
const STREAMING_SIZE = 0x7fff_0000;

/** KSDATAFORMAT_SUBTYPE_* GUID after its first two bytes (which carry the format tag). */
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const TAG_PCM = 0x0001;
const TAG_FLOAT = 0x0003;
const TAG_ALAW = 0x0006;
const TAG_MULAW = 0x0007;
const TAG_EXTENSIBLE = 0xfffe;

interface Fmt {
  codec: WavCodec;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function fourCC(buf: Uint8Array, at: number): string {
  if (at + 4 > buf.length) return '';
  return String.fromCharCode(buf[at] ?? 0, buf[at + 1] ?? 0, buf[at + 2] ?? 0, buf[at + 3] ?? 0);
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8);
}

function u32(buf: Uint8Array, at: number): number {
  return (u16(buf, at) + u16(buf, at + 2) * 0x10000) >>> 0;
}

function codecOf(tag: number, bits: number): WavCodec | undefined {
  if (tag === TAG_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) return 'pcm';
  if (tag === TAG_FLOAT && (bits === 32 || bits === 64)) return 'float';
  if (tag === TAG_MULAW && bits === 8) return 'mulaw';
  if (tag === TAG_ALAW && bits === 8) return 'alaw';
  return undefined;
}

/** Parses a complete `fmt ` chunk body that lies inside the buffer. */
function parseFmt(buf: Uint8Array, at: number, size: number): Fmt | WavRejectReason {
  if (size < 16) return 'bad_fmt';
  let tag = u16(buf, at);
  const channels = u16(buf, at + 2);
  const sampleRate = u32(buf, at + 4);
  const byteRate = u32(buf, at + 8);
  const blockAlign = u16(buf, at + 12);
  const bitsPerSample = u16(buf, at + 14);
  if (tag === TAG_EXTENSIBLE) {
    // WAVE_FORMAT_EXTENSIBLE: cbSize(2) validBits(2) channelMask(4) then the sub-format GUID.
    if (size < 40) return 'bad_fmt';
    const guidAt = at + 24;
    if (EXTENSIBLE_GUID_TAIL.some((b, i) => buf[guidAt + 2 + i] !== b)) return 'unsupported_codec';
    tag = u16(buf, guidAt);
  }
  const codec = codecOf(tag, bitsPerSample);
  if (!codec) return 'unsupported_codec';
  if (channels === 0 || sampleRate === 0) return 'bad_fmt';
  if (channels > 8 || sampleRate < 1000 || sampleRate > 384_000) return 'unsupported_codec';
  // Both relations are what players use to step through frames and compute duration; a file that
  // breaks them plays wrongly elsewhere even if we could guess.
  if (blockAlign !== (channels * bitsPerSample) / 8) return 'bad_fmt';
  if (byteRate !== sampleRate * blockAlign) return 'bad_fmt';
  return { codec, channels, sampleRate, bitsPerSample, blockAlign };
}

interface DataChunk {
  offset: number;
  declared: number;
  available: number;
}

/** Walks the chunks of a RIFF/WAVE buffer and describes its audio, or says why it cannot. */
export function readWavLayout(buf: Uint8Array): WavLayoutResult {
  const id = fourCC(buf, 0);
  if (id === 'RIFX' || id === 'RF64') return { ok: false, reason: 'unsupported_container' };
  if (id !== 'RIFF') return { ok: false, reason: buf.length < 4 && isPrefixOfRiff(buf) ? 'truncated' : 'not_riff' };
  if (buf.length < 12) return { ok: false, reason: 'truncated' };
  if (fourCC(buf, 8) !== 'WAVE') return { ok: false, reason: 'not_wave' };

  const warnings: WavWarning[] = [];
  const riffSize = u32(buf, 4);
  if (riffSize >= STREAMING_SIZE) warnings.push('streaming_sizes');
  else if (riffSize + 8 !== buf.length) warnings.push('riff_size_mismatch');

  let fmt: Fmt | undefined;
  let data: DataChunk | undefined;
  let offset = 12;
  // Each step advances by at least 8 bytes, so the loop is bounded by the buffer length.
  while (offset + 8 <= buf.length) {
    const chunkId = fourCC(buf, offset);
    const size = u32(buf, offset + 4);
    const body = offset + 8;
    const available = buf.length - body;
    if (chunkId === 'data' && !data) {
      data = { offset: body, declared: size, available: Math.min(size, available) };
      if (size >= available) break; // the audio runs to the end of the file; nothing can follow
    } else if (size > available) {
      // A chunk that overruns the file: fine once we have what we need, otherwise the file was cut.
      if (fmt && data) break;
      return { ok: false, reason: 'truncated' };
    } else if (chunkId === 'fmt ' && !fmt) {
      const parsed = parseFmt(buf, body, size);
      if (typeof parsed === 'string') return { ok: false, reason: parsed };
      fmt = parsed;
    }
    offset = body + size + (size & 1);
  }

  if (!fmt) return { ok: false, reason: 'no_fmt_chunk' };
  if (!data) return { ok: false, reason: 'no_data_chunk' };
  return finishLayout(fmt, data, warnings);
}

function isPrefixOfRiff(buf: Uint8Array): boolean {
  return buf.length > 0 && [...buf].every((b, i) => b === 'RIFF'.charCodeAt(i));
}

function finishLayout(fmt: Fmt, data: DataChunk, warnings: WavWarning[]): WavLayoutResult {
  let bytes: number;
  if (data.declared >= STREAMING_SIZE) {
    if (!warnings.includes('streaming_sizes')) warnings.push('streaming_sizes');
    bytes = data.available;
  } else {
    if (data.declared === 0) return { ok: false, reason: 'empty' };
    const missing = data.declared - data.available;
    const tolerance = fmt.blockAlign * Math.ceil((fmt.sampleRate * TRUNCATION_TOLERANCE_MS) / 1000);
    if (missing > tolerance) return { ok: false, reason: 'truncated' };
    if (missing > 0) warnings.push('short_data');
    bytes = data.available;
  }
  if (bytes % fmt.blockAlign !== 0) warnings.push('partial_frame');
  const frames = Math.floor(bytes / fmt.blockAlign);
  if (frames === 0) return { ok: false, reason: 'empty' };
  return {
    ok: true,
    layout: {
      codec: fmt.codec,
      channels: fmt.channels,
      sampleRate: fmt.sampleRate,
      bitsPerSample: fmt.bitsPerSample,
      blockAlign: fmt.blockAlign,
      dataOffset: data.offset,
      frames,
      warnings,
    },
  };
}
