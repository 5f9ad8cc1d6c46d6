import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peak, rms, toDbfs } from '../../../../../src/voice/audio/levels.js';
import { durationMs } from '../../../../../src/voice/audio/pcm.js';
import { ESPEAK_VOICES, EspeakSynthesizer, espeakArgs } from '../../../../../src/voice/sandbox/speech/espeakSynthesizer.js';
import { estimateSpeechMs } from '../../../../../src/voice/sandbox/speech/estimateSpeechMs.js';
import { estimateF0, zeroCrossingHz } from '../../audio/support/signal.js';
import { createFakeEspeak, type FakeEspeak } from './support/fakeEspeak.js';

const ESPEAK = '/usr/bin/espeak-ng';
const HAS_ESPEAK = existsSync(ESPEAK);
/** Titles say why a test did not run, so a green run without espeak-ng is visibly partial. */
const needsEspeak = (title: string) => (HAS_ESPEAK ? title : `${title} [skipped: ${ESPEAK} not installed]`);
const HOSTILE = (dir: string) =>
  `$(touch ${dir}/pwned) \`touch ${dir}/pwned\`; touch ${dir}/pwned && rm -rf ${dir}/victim | "double" 'single'\n` +
  `--help -w ${dir}/out.wav <speak><audio src="file:///etc/passwd"/></speak> конец`;

describe('EspeakSynthesizer argv', () => {
  it('never puts the text on the command line', () => {
    const args = espeakArgs({ lang: 'ru', voice: 'female' });
    expect(args).toEqual(['--stdout', '-b', '1', '-z', '-v', 'ru+f3', '-s', '150', '-p', '50', '--stdin']);
  });

  it('gives each party its own voice', () => {
    const variants = Object.values(ESPEAK_VOICES).map((v) => `${v.variant}/${v.pitch}`);
    expect(new Set(variants).size).toBe(4);
    expect(espeakArgs({ lang: 'en', voice: 'bot' })).toContain('en+klatt');
  });
});

describe('EspeakSynthesizer process handling (fake espeak-ng, runs everywhere)', () => {
  let fake: FakeEspeak;
  beforeAll(() => {
    fake = createFakeEspeak();
  });
  afterAll(() => fake.cleanup());

  it('sends the text on stdin with control characters turned into spaces, and returns 8 kHz audio', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('speak') });
    const before = fake.calls().length;
    const pcm = await synth.synthesize('Алло,\nэто "Ромашка"?\u0000', { lang: 'ru', voice: 'female' });
    const call = fake.calls()[before];
    expect(call?.stdin).toBe('Алло, это "Ромашка"? ');
    expect(call?.argv).toEqual(espeakArgs({ lang: 'ru', voice: 'female' }));
    expect(pcm.sampleRate).toBe(8000);
    expect(durationMs(pcm)).toBeCloseTo(500, -1);
    expect(zeroCrossingHz(pcm)).toBeCloseTo(300, -1); // resampled, not pitch-shifted
    expect(toDbfs(peak(pcm))).toBeCloseTo(-6, 0);
  });

  it('caches identical phrases and shares one process between concurrent requests', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('speak') });
    const before = fake.calls().length;
    const [a, b] = await Promise.all([
      synth.synthesize('одна и та же фраза', { lang: 'ru', voice: 'bot' }),
      synth.synthesize('одна и та же фраза', { lang: 'ru', voice: 'bot' }),
    ]);
    const c = await synth.synthesize('одна и та же фраза', { lang: 'ru', voice: 'bot' });
    expect(fake.calls().length - before).toBe(1);
    expect(b.samples).toEqual(a.samples);
    expect(c.samples).toEqual(a.samples);
    c.samples.fill(0); // callers get their own copy
    expect((await synth.synthesize('одна и та же фраза', { lang: 'ru', voice: 'bot' })).samples).toEqual(a.samples);
    await synth.synthesize('одна и та же фраза', { lang: 'ru', voice: 'male' });
    expect(fake.calls().length - before).toBe(2); // another voice is another phrase
  });

  it('evicts the least recently used phrase beyond the cache bound', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('speak'), cacheEntries: 2 });
    const before = fake.calls().length;
    for (const text of ['один', 'два', 'один', 'три', 'один', 'два']) await synth.synthesize(text, { lang: 'ru', voice: 'bot' });
    // один, два: 2 runs; один: hit; три: run, evicts два; один: hit; два: run.
    expect(fake.calls().length - before).toBe(4);
  });

  it('kills a hung espeak-ng after the timeout', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('hang'), timeoutMs: 300 });
    await expect(synth.synthesize('тест', { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('reports a failing exit with its stderr, and does not cache the failure', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('fail') });
    await expect(synth.synthesize('тест', { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({
      code: 'engine_failed',
      message: expect.stringMatching(/code 3: boom: no such voice/) as unknown,
    });
    const before = fake.calls().length;
    await expect(synth.synthesize('тест', { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({ code: 'engine_failed' });
    expect(fake.calls().length - before).toBe(1);
  });

  it('reports output that is not a WAV', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('garbage') });
    await expect(synth.synthesize('тест', { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({ code: 'engine_failed' });
  });

  it('reports a missing executable as espeak_unavailable', async () => {
    const synth = new EspeakSynthesizer({ command: '/nonexistent/espeak-ng' });
    await expect(synth.synthesize('тест', { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({ code: 'espeak_unavailable' });
  });

  it('falls back to generated audio when espeak-ng produces only silence', async () => {
    const synth = new EspeakSynthesizer({ command: fake.command('silent') });
    const pcm = await synth.synthesize('...', { lang: 'ru', voice: 'bot' });
    expect(toDbfs(rms(pcm))).toBeGreaterThan(-30);
  });
});

describe('EspeakSynthesizer with the real espeak-ng', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dozvon-espeak-'));
    mkdirSync(join(dir, 'victim'));
    writeFileSync(join(dir, 'victim', 'keep.txt'), 'still here');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!HAS_ESPEAK)(needsEspeak('speaks Russian and English at 8 kHz, about as long as estimated'), async () => {
    const synth = new EspeakSynthesizer({ command: ESPEAK });
    for (const [text, lang] of [
      ['Здравствуйте! Меня зовут Анна, я звоню из компании Ромашка. Вам удобно сейчас говорить?', 'ru'],
      ['Hello! My name is Anna, I am calling from Daisy company. Is it a good time to talk?', 'en'],
    ] as const) {
      const pcm = await synth.synthesize(text, { lang, voice: 'bot' });
      expect(pcm.sampleRate).toBe(8000);
      expect(toDbfs(rms(pcm))).toBeGreaterThan(-35);
      const ratio = durationMs(pcm) / estimateSpeechMs(text, lang);
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.3);
    }
  });

  it.skipIf(!HAS_ESPEAK)(needsEspeak('a woman sounds higher than a man'), async () => {
    const synth = new EspeakSynthesizer({ command: ESPEAK });
    const text = 'Да, конечно, мне интересно. Расскажите подробнее, пожалуйста.';
    const female = estimateF0(await synth.synthesize(text, { lang: 'ru', voice: 'female' })).median;
    const male = estimateF0(await synth.synthesize(text, { lang: 'ru', voice: 'male' })).median;
    expect(female).toBeGreaterThan(male * 1.5);
  });

  it.skipIf(!HAS_ESPEAK)(needsEspeak('speaks shell metacharacters, quotes, newlines and option-like text safely'), async () => {
    const synth = new EspeakSynthesizer({ command: ESPEAK });
    const pcm = await synth.synthesize(HOSTILE(dir), { lang: 'en', voice: 'male' });
    expect(durationMs(pcm)).toBeGreaterThan(3000);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'out.wav'))).toBe(false);
    expect(existsSync(join(dir, 'victim', 'keep.txt'))).toBe(true);
  });
});
