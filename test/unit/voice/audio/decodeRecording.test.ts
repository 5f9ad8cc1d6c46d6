import { Mp3Encoder } from '@breezystack/lamejs';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { decodeRecording, RecordingDecodeError } from '../../../../src/voice/audio/decodeRecording.js';
import { encodeFlac } from '../../../fakes/voiceShared/flacEncoder.js';
import { magnitudeAt } from './support/signal.js';

const { WaveFile } = wavefile;

function sine(hz: number, seconds: number, rate: number, amplitude = 0.5): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * amplitude * 32767);
  return out;
}

/** A stereo recording as the platforms make them: the bot on one channel, the callee on the other. */
const LEFT_HZ = 440;
const RIGHT_HZ = 1000;

function expectChannels(ch: Int16Array[], rate: number) {
  expect(ch).toHaveLength(2);
  const [left, right] = ch as [Int16Array, Int16Array];
  const l = { samples: left, sampleRate: rate };
  const r = { samples: right, sampleRate: rate };
  expect(magnitudeAt(l, LEFT_HZ)).toBeGreaterThan(0.2);
  expect(magnitudeAt(l, RIGHT_HZ)).toBeLessThan(0.05);
  expect(magnitudeAt(r, RIGHT_HZ)).toBeGreaterThan(0.2);
  expect(magnitudeAt(r, LEFT_HZ)).toBeLessThan(0.05);
}

describe('decodeRecording: a platform’s recording → PCM per channel', () => {
  it('stereo WAV (Twilio family, dual channel)', async () => {
    const wav = new WaveFile();
    wav.fromScratch(2, 8000, '16', [Array.from(sine(LEFT_HZ, 1, 8000)), Array.from(sine(RIGHT_HZ, 1, 8000))]);
    const out = await decodeRecording(wav.toBuffer(), 'audio/wav');
    expect(out.sampleRate).toBe(8000);
    expect(out.channels[0]).toHaveLength(8000);
    expectChannels(out.channels, 8000);
  });

  it('stereo FLAC (Voximplant, lossless): samples come back exactly', async () => {
    const left = sine(LEFT_HZ, 0.5, 16000);
    const right = sine(RIGHT_HZ, 0.5, 16000);
    const out = await decodeRecording(encodeFlac([left, right], 16000), 'audio/flac');
    expect(out.sampleRate).toBe(16000);
    expect(out.channels[0]).toHaveLength(left.length);
    // Float round trip: within one step of the original.
    let maxDiff = 0;
    for (let i = 0; i < left.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.channels[0]![i]! - left[i]!), Math.abs(out.channels[1]![i]! - right[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('stereo MP3', async () => {
    const rate = 16000;
    const enc = new Mp3Encoder(2, rate, 64);
    const parts = [enc.encodeBuffer(sine(LEFT_HZ, 1, rate), sine(RIGHT_HZ, 1, rate)), enc.flush()];
    const out = await decodeRecording(Buffer.concat(parts.map((p) => Buffer.from(p))), 'audio/mpeg');
    expect(out.sampleRate).toBe(rate);
    expect(out.channels[0]!.length).toBeGreaterThan(rate * 0.9);
    expectChannels(out.channels, rate);
  });

  it.each(['audio/wav', 'audio/flac', 'audio/mpeg'] as const)('bytes that are not %s are refused with a RecordingDecodeError', async (type) => {
    await expect(decodeRecording(Buffer.from('<html>Not found</html>'.repeat(20)), type)).rejects.toBeInstanceOf(RecordingDecodeError);
  });
});
