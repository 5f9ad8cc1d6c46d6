import { describe, expect, it } from 'vitest';
import { encodeMp3, encodeRecordingMp3 } from '../../../../src/voice/audio/encodeMp3.js';
import { encodeWav, silence, tone } from '../../../../src/voice/audio/index.js';
import { UndecodableRecording } from '../../../../src/voice/audio/recordingPcm.js';
import { walkMp3 } from '../../../support/mp3.js';

describe('encodeMp3 (pcm → mp3)', () => {
  it('turns 8 kHz telephone audio into a clean 16 kHz mono MPEG-2 stream of the same length', async () => {
    const mp3 = await encodeMp3(tone([440], 5000, 8000));
    const walk = walkMp3(mp3);
    expect(walk).toMatchObject({ sampleRate: 16000, channels: 1, garbage: 0 });
    // LAME adds its encoder delay and pads the last frame: a few frames (36 ms each) at most.
    expect(walk.durationMs).toBeGreaterThanOrEqual(5000);
    expect(walk.durationMs).toBeLessThan(5000 + 5 * 36);
    // 32 kbit/s: about 4 KB a second.
    expect(mp3.length).toBeGreaterThan(5 * 3500);
    expect(mp3.length).toBeLessThan(5 * 4500);
  });

  it('keeps a rate MP3 has as it is, and takes a higher bitrate for wide-band audio', async () => {
    const walk = walkMp3(await encodeMp3(tone([440, 880], 2000, 44100)));
    expect(walk).toMatchObject({ sampleRate: 44100, channels: 1, garbage: 0 });
  });

  it('an empty recording is still a playable (silent) file', async () => {
    const walk = walkMp3(await encodeMp3(silence(0, 8000)));
    expect(walk.frames).toBeGreaterThan(0);
    expect(walk.garbage).toBe(0);
  });

  it('encodes many recordings at once, each its own length, and leaves the caller’s samples as they were', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => tone([300 + 50 * i], 500 + 250 * i, i % 2 ? 8000 : 16000));
    const before = inputs.map((p) => p.samples.length);
    const walks = (await Promise.all(inputs.map((p) => encodeMp3(p)))).map(walkMp3);
    walks.forEach((w, i) => {
      expect(w.garbage).toBe(0);
      expect(w.durationMs).toBeGreaterThanOrEqual(500 + 250 * i);
      expect(w.durationMs).toBeLessThan(500 + 250 * i + 5 * 36);
    });
    expect(inputs.map((p) => p.samples.length)).toEqual(before);
  });
});

describe('encodeRecordingMp3 (a stored original → mp3, all of it in the encoder’s thread)', () => {
  it('decodes a WAV original there and gives its length', async () => {
    const { mp3, durationMs } = await encodeRecordingMp3(encodeWav(tone([440], 3000, 8000)), 'audio/wav');
    expect(durationMs).toBe(3000);
    const walk = walkMp3(mp3);
    expect(walk).toMatchObject({ sampleRate: 16000, channels: 1, garbage: 0 });
    expect(walk.durationMs).toBeGreaterThanOrEqual(3000);
  });

  it('copies a buffer that shares its memory with others, leaving them as they were', async () => {
    const wav = encodeWav(tone([440], 500, 8000));
    const shared = Buffer.concat([Buffer.from('before'), wav, Buffer.from('after')]);
    const inside = shared.subarray(6, 6 + wav.length);
    const { durationMs } = await encodeRecordingMp3(inside, 'audio/wav; codecs=1');
    expect(durationMs).toBe(500);
    expect(shared.subarray(0, 6).toString()).toBe('before');
    expect(inside.equals(wav)).toBe(true);
  });

  it('refuses what no decoder reads, as undecodable (a permanent state), not as a failure', async () => {
    await expect(encodeRecordingMp3(Buffer.from('RIFF this is not a wave file at all'), 'audio/wav')).rejects.toBeInstanceOf(UndecodableRecording);
    await expect(encodeRecordingMp3(Buffer.from('ID3 but called ogg'), 'audio/ogg')).rejects.toThrow(/unsupported type audio\/ogg/);
  });
});
