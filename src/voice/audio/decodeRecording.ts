import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { decodeChannels } from './decodeWav.js';
import { readWavLayout } from './wavLayout.js';

/**
 * The decoder layer for recordings: bytes as a platform made them (WAV of any common encoding,
 * FLAC from Voximplant, MP3) → PCM per channel. Gender estimation reads the callee's channel from
 * it; the MP3 made for the CRMs' players can be derived from it too. FLAC and MP3 are decoded by
 * well-kept WebAssembly builds of libFLAC and mpg123 (no native code, no external program).
 */
export type RecordingContentType = 'audio/wav' | 'audio/mpeg' | 'audio/flac';

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel (first = left), full scale ±32767. */
  channels: Int16Array[];
}

export class RecordingDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingDecodeError';
  }
}

function fromFloat(channelData: Float32Array[], samples: number): Int16Array[] {
  return channelData.map((ch) => {
    const out = new Int16Array(samples);
    for (let i = 0; i < samples; i++) {
      const x = ch[i] ?? 0;
      out[i] = Math.max(-32768, Math.min(32767, Math.round((Number.isFinite(x) ? x : 0) * 32767)));
    }
    return out;
  });
}

export async function decodeRecording(bytes: Uint8Array, contentType: RecordingContentType): Promise<DecodedAudio> {
  switch (contentType) {
    case 'audio/wav': {
      const r = readWavLayout(bytes);
      if (!r.ok) throw new RecordingDecodeError(`not a decodable WAV: ${r.reason}`);
      return { sampleRate: r.layout.sampleRate, channels: decodeChannels(bytes, r.layout) };
    }
    case 'audio/flac': {
      const decoder = new FLACDecoder();
      try {
        await decoder.ready;
        const out = await decoder.decodeFile(bytes);
        if (out.samplesDecoded === 0) throw new RecordingDecodeError(`not a decodable FLAC${out.errors[0] ? `: ${out.errors[0].message}` : ''}`);
        return { sampleRate: out.sampleRate, channels: fromFloat(out.channelData, out.samplesDecoded) };
      } finally {
        decoder.free();
      }
    }
    case 'audio/mpeg': {
      const decoder = new MPEGDecoder();
      try {
        await decoder.ready;
        const out = decoder.decode(bytes);
        if (out.samplesDecoded === 0) throw new RecordingDecodeError(`not a decodable MP3${out.errors[0] ? `: ${out.errors[0].message}` : ''}`);
        return { sampleRate: out.sampleRate, channels: fromFloat(out.channelData, out.samplesDecoded) };
      } finally {
        decoder.free();
      }
    }
  }
}
