import { describe, expect, it } from 'vitest';
import { WavDecodeError, decodeWav } from '../../../../src/voice/audio/decodeWav.js';
import { inspectWav } from '../../../../src/voice/audio/inspectWav.js';
import { WAV_REJECT_REASONS } from '../../../../src/voice/audio/wavLayout.js';
import { seededRandom } from '../../../../src/voice/sandbox/speech/prng.js';
import {
  extensibleExtra,
  fmtBody,
  greetingWav,
  invalidUploads,
  pcm16Bytes,
  riffWave,
  sineSamples,
  validWav,
} from '../../../fixtures/audio/wavFixtures.js';

const data = pcm16Bytes(sineSamples(440, 200, 8000));
const withFmt = (fmt: Parameters<typeof fmtBody>[0], body: Uint8Array = data) =>
  riffWave([{ id: 'fmt ', body: fmtBody(fmt) }, { id: 'data', body }]);

describe('inspectWav accepts real audio', () => {
  it('describes a valid file', () => {
    expect(inspectWav(validWav(500))).toEqual({
      ok: true,
      format: 'pcm',
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 16,
      durationMs: 500,
      silent: false,
      warnings: [],
    });
  });

  it('accepts the real espeak-ng greeting fixture', () => {
    expect(inspectWav(greetingWav())).toMatchObject({ ok: true, format: 'pcm', sampleRate: 8000, silent: false });
  });

  it('reports silence as information, not as a rejection', () => {
    expect(inspectWav(withFmt({}, new Uint8Array(1600)))).toMatchObject({ ok: true, silent: true, durationMs: 100 });
  });

  it('accepts streaming placeholder sizes and says so', () => {
    const file = riffWave([{ id: 'fmt ', body: fmtBody() }, { id: 'data', body: data, declaredSize: 0xffffffff }], { riffSize: 0xffffffff });
    expect(inspectWav(file)).toMatchObject({ ok: true, durationMs: 200, warnings: ['streaming_sizes'] });
  });

  it('tolerates a data chunk a few milliseconds shorter than declared', () => {
    const file = riffWave([{ id: 'fmt ', body: fmtBody() }, { id: 'data', body: data, declaredSize: data.length + 100 }]);
    const info = inspectWav(file);
    expect(info).toMatchObject({ ok: true, durationMs: 200 });
    expect(info.ok && info.warnings).toContain('short_data');
  });

  it('ignores a trailing partial frame', () => {
    expect(inspectWav(withFmt({}, new Uint8Array([1, 2, 3, 4, 5])))).toMatchObject({ ok: true, warnings: ['partial_frame'] });
  });

  it('accepts µ-law, A-law, stereo and extensible float files', () => {
    expect(inspectWav(withFmt({ formatTag: 7, bitsPerSample: 8 }))).toMatchObject({ ok: true, format: 'mulaw', bitsPerSample: 8, durationMs: 400 });
    expect(inspectWav(withFmt({ formatTag: 6, bitsPerSample: 8 }))).toMatchObject({ ok: true, format: 'alaw' });
    expect(inspectWav(withFmt({ channels: 2, sampleRate: 44100 }))).toMatchObject({ ok: true, channels: 2, sampleRate: 44100, durationMs: 18 });
    expect(inspectWav(withFmt({ formatTag: 0xfffe, bitsPerSample: 32, extra: extensibleExtra(3, 32) }))).toMatchObject({ ok: true, format: 'float' });
  });

  it('lets the caller choose the maximum duration', () => {
    expect(inspectWav(validWav(2000), { maxDurationMs: 2000 }).ok).toBe(true);
    expect(inspectWav(validWav(2000), { maxDurationMs: 1999 })).toEqual({ ok: false, reason: 'too_long' });
  });
});

describe('inspectWav rejects with a stable reason', () => {
  it('keeps its reason codes (translations and clients depend on them; add, never rename)', () => {
    expect(WAV_REJECT_REASONS).toEqual([
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
    ]);
  });

  it.each(WAV_REJECT_REASONS.map((r) => [r]))('%s: the ready-made fixture produces it', (reason) => {
    const upload = invalidUploads()[reason];
    expect(inspectWav(upload, { maxDurationMs: 1000 })).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['an MP3 (ID3 tag)', Buffer.concat([Buffer.from('ID3'), Buffer.alloc(100, 1)]), 'mp3'],
    ['an MP3 (bare frame sync)', Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]), 'mp3'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'png'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'jpeg'],
    ['an Ogg file', Buffer.from('OggS\0\x02\0\0', 'latin1'), 'ogg'],
    ['an MP4/M4A', Buffer.from('\0\0\0\x20ftypM4A ', 'latin1'), 'mp4'],
    ['a text file', Buffer.from('Здравствуйте, это не звук.\n', 'utf8'), 'text'],
  ])('not_riff for %s renamed to .wav, naming what it is', (_name, buf, detected) => {
    expect(inspectWav(buf)).toEqual({ ok: false, reason: 'not_riff', detected });
  });

  it('not_riff for an empty upload and for random bytes', () => {
    expect(inspectWav(Buffer.alloc(0))).toEqual({ ok: false, reason: 'not_riff' });
    expect(inspectWav(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]))).toEqual({ ok: false, reason: 'not_riff' });
  });

  it('not_wave for other RIFF kinds (WebP, AVI)', () => {
    expect(inspectWav(riffWave([{ id: 'VP8 ', body: new Uint8Array(10) }], { form: 'WEBP' }))).toEqual({ ok: false, reason: 'not_wave' });
  });

  it('unsupported_container for RIFX and RF64', () => {
    expect(inspectWav(withFmt({}).fill('RF64', 0, 4, 'latin1'))).toEqual({ ok: false, reason: 'unsupported_container' });
  });

  it('no_fmt_chunk when only a data chunk or nothing follows the header', () => {
    expect(inspectWav(riffWave([]))).toEqual({ ok: false, reason: 'no_fmt_chunk' });
    expect(inspectWav(riffWave([{ id: 'data', body: data }]))).toEqual({ ok: false, reason: 'no_fmt_chunk' });
  });

  it.each([
    ['a fmt chunk shorter than 16 bytes', riffWave([{ id: 'fmt ', body: fmtBody().subarray(0, 14) }, { id: 'data', body: data }])],
    ['zero channels', withFmt({ channels: 0, blockAlign: 2, byteRate: 16000 })],
    ['a zero sample rate', withFmt({ sampleRate: 0, byteRate: 16000 })],
    ['a block size that contradicts channels × bits', withFmt({ blockAlign: 4 })],
    ['a byte rate that contradicts rate × block size', withFmt({ byteRate: 12345 })],
    ['an extensible header without its extension', withFmt({ formatTag: 0xfffe })],
  ])('bad_fmt for %s', (_name, file) => {
    expect(inspectWav(file)).toEqual({ ok: false, reason: 'bad_fmt' });
  });

  it.each([
    ['IMA ADPCM', withFmt({ formatTag: 0x11, bitsPerSample: 4, blockAlign: 256, byteRate: 4055 })],
    ['MS ADPCM', withFmt({ formatTag: 0x02, bitsPerSample: 4, blockAlign: 256, byteRate: 4096 })],
    ['MP3 inside WAV', withFmt({ formatTag: 0x55, bitsPerSample: 0, blockAlign: 1, byteRate: 4000 })],
    ['12-bit PCM', withFmt({ bitsPerSample: 12, blockAlign: 2, byteRate: 16000 })],
    ['16-bit float', withFmt({ formatTag: 3, bitsPerSample: 16 })],
    ['16 channels', withFmt({ channels: 16 })],
    ['a 500 Hz sample rate', withFmt({ sampleRate: 500 })],
    ['an extensible header with an unknown sub-format GUID', withFmt({ formatTag: 0xfffe, extra: extensibleExtra(1, 16).fill(0x42, 10) })],
  ])('unsupported_codec for %s', (_name, file) => {
    expect(inspectWav(file)).toEqual({ ok: false, reason: 'unsupported_codec' });
  });

  it('no_data_chunk when the audio chunk is missing', () => {
    expect(inspectWav(riffWave([{ id: 'fmt ', body: fmtBody() }]))).toEqual({ ok: false, reason: 'no_data_chunk' });
  });

  it('empty for a zero-length data chunk, also when other chunks follow it, and for less than one frame', () => {
    expect(inspectWav(withFmt({}, new Uint8Array(0)))).toEqual({ ok: false, reason: 'empty' });
    const followed = riffWave([{ id: 'fmt ', body: fmtBody() }, { id: 'data', body: new Uint8Array(0) }, { id: 'LIST', body: Buffer.from('INFO') }]);
    expect(inspectWav(followed)).toEqual({ ok: false, reason: 'empty' });
    expect(inspectWav(withFmt({ channels: 2 }, new Uint8Array(3)))).toEqual({ ok: false, reason: 'empty' });
  });

  it('truncated for a file cut in its audio, in its header, or inside a chunk before the audio', () => {
    const good = validWav(500);
    expect(inspectWav(good.subarray(0, good.length - 1000))).toEqual({ ok: false, reason: 'truncated' });
    expect(inspectWav(good.subarray(0, 3))).toEqual({ ok: false, reason: 'truncated' });
    expect(inspectWav(good.subarray(0, 10))).toEqual({ ok: false, reason: 'truncated' });
    expect(inspectWav(good.subarray(0, 30))).toEqual({ ok: false, reason: 'truncated' });
    const listFirst = riffWave([{ id: 'LIST', body: new Uint8Array(100) }, { id: 'fmt ', body: fmtBody() }, { id: 'data', body: data }]);
    expect(inspectWav(listFirst.subarray(0, 60))).toEqual({ ok: false, reason: 'truncated' });
  });

  it('too_long beyond 60 s by default', () => {
    const minute = riffWave([{ id: 'fmt ', body: fmtBody() }, { id: 'data', body: new Uint8Array(16000 * 61) }]);
    expect(inspectWav(minute)).toEqual({ ok: false, reason: 'too_long' });
  });
});

describe('inspectWav is safe on hostile input', () => {
  it('never reads past the view it was given, even when the bytes after it would complete the file', () => {
    const good = validWav(500);
    const cut = good.length - 2000;
    const view = new Uint8Array(good.buffer, good.byteOffset, cut);
    expect(inspectWav(view)).toEqual({ ok: false, reason: 'truncated' });
    // A view that starts mid-buffer decodes from its own offset.
    const padded = Buffer.concat([Buffer.alloc(7, 0xaa), good]);
    expect(decodeWav(padded.subarray(7)).samples).toEqual(decodeWav(good).samples);
  });

  it('never throws (and decodeWav throws only WavDecodeError) on random bytes, cuts or corruption', () => {
    const random = seededRandom(42);
    const good = riffWave([
      { id: 'fmt ', body: fmtBody({ channels: 2, bitsPerSample: 24 }) },
      { id: 'LIST', body: new Uint8Array(9) },
      { id: 'data', body: new Uint8Array(600) },
    ]);
    const reasons = new Set<string>();
    for (let round = 0; round < 3000; round++) {
      let input: Uint8Array;
      if (round % 3 === 0) {
        input = Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
        if (round % 2 === 0 && input.length >= 12) input.set(Buffer.from('RIFF\0\0\0\0WAVE'), 0);
      } else if (round % 3 === 1) {
        input = good.subarray(0, Math.floor(random() * good.length));
      } else {
        input = Uint8Array.from(good);
        for (let k = 0; k < 4; k++) input[Math.floor(random() * 60)] = Math.floor(random() * 256);
      }
      const info = inspectWav(input);
      reasons.add(info.ok ? 'ok' : info.reason);
      try {
        decodeWav(input);
      } catch (e) {
        expect(e).toBeInstanceOf(WavDecodeError);
      }
    }
    expect(reasons.size).toBeGreaterThan(4);
  });
});
