import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, durationMs, encodeWav, tone } from '../../../../src/voice/audio/index.js';
import { Recorder } from '../../../../src/voice/sandbox/recorder.js';
import { renderRecording } from '../../../../src/voice/sandbox/renderRecording.js';
import { renderInThread } from '../../../../src/voice/sandbox/renderThread.js';
import { GeneratedSynthesizer } from '../../../../src/voice/sandbox/speech/generatedSynthesizer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function call(): Recorder {
  const r = new Recorder();
  r.add({ atMs: 0, kind: 'ringback', ms: 2000 });
  r.add({ atMs: 2100, kind: 'speech', text: 'Здравствуйте! Это компания «Ромашка».', voice: 'bot' });
  r.add({ atMs: 4800, kind: 'speech', text: 'Да, слушаю.', voice: 'female' });
  r.add({ atMs: 6000, kind: 'wav', wav: encodeWav(tone([440], 700, 16000)) });
  r.add({ atMs: 7000, kind: 'beep' });
  return r;
}

describe('sandbox recordings rendered in their own thread', () => {
  it('come out as the same 8 kHz WAV the event loop would have made, greeting included, and are stored whole', async () => {
    const recorder = call();
    const greeting = (recorder.segments[3] as { wav: Buffer }).wav;
    const copy = Buffer.from(greeting);
    const file = path.join(dir, 'one.wav');
    const inThread = await renderInThread('generated')(recorder, 9000, 'ru', file);
    const here = await renderRecording(new GeneratedSynthesizer(), recorder, 9000, 'ru');
    const pcm = decodeWav(inThread);
    expect(pcm.sampleRate).toBe(8000);
    expect(durationMs(pcm)).toBeGreaterThanOrEqual(9000);
    expect(inThread.equals(here)).toBe(true);
    expect(fs.readFileSync(file).equals(here)).toBe(true);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    // The caller's greeting is copied to the thread, not taken from it.
    expect(greeting.equals(copy)).toBe(true);
  });

  it('renders many calls at once, each its own', async () => {
    const render = renderInThread('generated');
    const lengths = [9000, 12000, 15000, 20000];
    const wavs = await Promise.all(lengths.map((ms) => render(call(), ms, 'en', path.join(dir, `${ms}.wav`))));
    expect(wavs.map((w) => Math.round(durationMs(decodeWav(w))))).toEqual(lengths);
    expect(lengths.map((ms) => fs.statSync(path.join(dir, `${ms}.wav`)).size)).toEqual(wavs.map((w) => w.length));
  });
});
