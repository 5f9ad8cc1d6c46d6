import { describe, expect, it } from 'vitest';
import { peak, rms, toDbfs } from '../../../../../src/voice/audio/levels.js';
import { durationMs } from '../../../../../src/voice/audio/pcm.js';
import { estimateSpeechMs } from '../../../../../src/voice/sandbox/speech/estimateSpeechMs.js';
import { GeneratedSynthesizer } from '../../../../../src/voice/sandbox/speech/generatedSynthesizer.js';
import { SpeechSynthesisError, type SpeechVoice } from '../../../../../src/voice/sandbox/speech/speechSynthesizer.js';
import { estimateF0 } from '../../audio/support/signal.js';

const RU = 'Здравствуйте! Меня зовут Анна, я звоню из компании Ромашка. Вам удобно сейчас говорить?';
const EN = 'Hello! My name is Anna, I am calling from Daisy company. Is it a good time to talk?';
const synth = new GeneratedSynthesizer();

describe('GeneratedSynthesizer', () => {
  it('is deterministic: the same phrase always gives the same samples', async () => {
    const a = await synth.synthesize(RU, { lang: 'ru', voice: 'female' });
    const b = await new GeneratedSynthesizer().synthesize(RU, { lang: 'ru', voice: 'female' });
    expect(b.samples).toEqual(a.samples);
  });

  it('a phrase said again comes from its cache as the caller’s own copy', async () => {
    const first = await synth.synthesize(EN, { lang: 'en', voice: 'bot' });
    const expected = first.samples.slice();
    first.samples.fill(0); // a caller mixing into what it got
    const again = await synth.synthesize(EN, { lang: 'en', voice: 'bot' });
    expect(again.samples).toEqual(expected);
    expect((await synth.synthesize(EN, { lang: 'en', voice: 'male' })).samples).not.toEqual(expected);
  });

  it('returns 8 kHz audio by default and another rate on request', async () => {
    expect(synth.kind).toBe('generated');
    expect((await synth.synthesize('Да', { lang: 'ru', voice: 'male' })).sampleRate).toBe(8000);
    expect((await new GeneratedSynthesizer({ sampleRate: 16000 }).synthesize('Да', { lang: 'ru', voice: 'male' })).sampleRate).toBe(16000);
  });

  it.each(['bot', 'female', 'male', 'machine'] as const)('the %s voice is clearly audible and peaks at −6 dBFS', async (voice) => {
    for (const [text, lang] of [[RU, 'ru'], [EN, 'en']] as const) {
      const pcm = await synth.synthesize(text, { lang, voice });
      expect(toDbfs(rms(pcm))).toBeGreaterThan(-30);
      expect(toDbfs(peak(pcm))).toBeCloseTo(-6, 0);
    }
  });

  it('lasts exactly as long as estimateSpeechMs says, and longer text lasts longer', async () => {
    const short = await synth.synthesize('Да, слушаю.', { lang: 'ru', voice: 'female' });
    const long = await synth.synthesize(RU, { lang: 'ru', voice: 'female' });
    expect(Math.abs(durationMs(long) - estimateSpeechMs(RU, 'ru'))).toBeLessThanOrEqual(1);
    expect(Math.abs(durationMs(short) - estimateSpeechMs('Да, слушаю.', 'ru'))).toBeLessThanOrEqual(1);
    expect(durationMs(long)).toBeGreaterThan(durationMs(short) * 3);
  });

  it('a woman sounds higher than a man, and the bot is monotone', async () => {
    const f0 = async (voice: SpeechVoice) => estimateF0(await synth.synthesize(RU, { lang: 'ru', voice }));
    const female = await f0('female');
    const male = await f0('male');
    const bot = await f0('bot');
    expect(female.median).toBeGreaterThan(180);
    expect(male.median).toBeLessThan(140);
    expect(female.median).toBeGreaterThan(male.median * 1.5);
    const spread = (frames: number[]) => Math.max(...frames) / Math.min(...frames);
    expect(bot.frames.length).toBeGreaterThan(20);
    expect(spread(bot.frames)).toBeLessThan(1.1);
    expect(spread(female.frames)).toBeGreaterThan(1.2);
  });

  it('different voices and different texts give different audio', async () => {
    const a = await synth.synthesize('Да', { lang: 'ru', voice: 'female' });
    const b = await synth.synthesize('Да', { lang: 'ru', voice: 'machine' });
    const c = await synth.synthesize('Он', { lang: 'ru', voice: 'female' });
    expect(b.samples).not.toEqual(a.samples);
    expect(c.samples).not.toEqual(a.samples);
  });

  it('is never silent or empty, even for empty or unpronounceable text', async () => {
    for (const text of ['', '   ', '...', '!!!', '\n']) {
      const pcm = await synth.synthesize(text, { lang: 'en', voice: 'bot' });
      expect(durationMs(pcm)).toBeGreaterThanOrEqual(250);
      expect(toDbfs(rms(pcm))).toBeGreaterThan(-30);
    }
  });

  it('treats shell metacharacters, quotes and newlines as plain text', async () => {
    const text = '$(rm -rf /) `reboot` "quoted" \'single\'; echo $HOME && exit\nновая строка | cat > /etc/passwd';
    const pcm = await synth.synthesize(text, { lang: 'ru', voice: 'male' });
    expect(durationMs(pcm)).toBeCloseTo(estimateSpeechMs(text, 'ru'), -1);
  });

  it('rejects absurdly long text with a coded error', async () => {
    await expect(synth.synthesize('а'.repeat(5001), { lang: 'ru', voice: 'bot' })).rejects.toMatchObject({
      name: 'SpeechSynthesisError',
      code: 'text_too_long',
    });
    await expect(synth.synthesize('а'.repeat(5001), { lang: 'ru', voice: 'bot' })).rejects.toBeInstanceOf(SpeechSynthesisError);
  });
});
