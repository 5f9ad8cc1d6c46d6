import { describe, expect, it } from 'vitest';
import { estimateSpeechMs } from '../../../../../src/voice/sandbox/speech/estimateSpeechMs.js';

const SENTENCES = {
  ru: [
    'Здравствуйте! Меня зовут Анна, я звоню из компании Ромашка. Вам удобно сейчас говорить?',
    'Абонент не может ответить на ваш звонок. Оставьте сообщение после звукового сигнала.',
    'Хорошо, тогда я перезвоню вам завтра. До свидания!',
  ],
  en: [
    'Hello! My name is Anna, I am calling from Daisy company. Is it a good time to talk?',
    'The person you are calling is not available. Please leave a message after the tone.',
    'Okay, I will call you back tomorrow. Goodbye!',
  ],
} as const;

describe('estimateSpeechMs', () => {
  it.each(['ru', 'en'] as const)('speaks ordinary %s sentences at 12–16 characters per second', (lang) => {
    for (const s of SENTENCES[lang]) {
      const cps = (s.length * 1000) / estimateSpeechMs(s, lang);
      expect(cps).toBeGreaterThan(12);
      expect(cps).toBeLessThan(16);
    }
  });

  it('grows with the text', () => {
    expect(estimateSpeechMs('Да, конечно, слушаю вас внимательно.', 'ru')).toBeGreaterThan(estimateSpeechMs('Да, конечно.', 'ru'));
    expect(estimateSpeechMs('yes '.repeat(20), 'en')).toBeGreaterThan(estimateSpeechMs('yes '.repeat(10), 'en') * 1.8);
  });

  it('adds pauses at punctuation, one pause for a run of marks', () => {
    const plain = estimateSpeechMs('да нет', 'ru');
    const comma = estimateSpeechMs('да, нет', 'ru');
    const stop = estimateSpeechMs('да. нет', 'ru');
    expect(comma).toBeGreaterThan(plain + 150);
    expect(stop).toBeGreaterThan(comma + 150);
    expect(estimateSpeechMs('да?! нет', 'ru')).toBe(stop);
  });

  it('ignores leading and trailing punctuation and whitespace', () => {
    expect(estimateSpeechMs('  — Алло?  ', 'ru')).toBe(estimateSpeechMs('Алло', 'ru'));
  });

  it('reads digits as words', () => {
    expect(estimateSpeechMs('8', 'ru')).toBe(estimateSpeechMs('восемь', 'ru'));
    expect(estimateSpeechMs('at 10', 'en')).toBe(estimateSpeechMs('at one zero', 'en'));
  });

  it('never returns less than a short "mm", even for empty text', () => {
    expect(estimateSpeechMs('', 'ru')).toBe(250);
    expect(estimateSpeechMs('...', 'en')).toBe(250);
    expect(estimateSpeechMs('а', 'ru')).toBe(250);
  });
});
