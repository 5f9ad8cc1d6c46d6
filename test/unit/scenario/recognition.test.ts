import { describe, expect, it } from 'vitest';
import { bestPhraseMatch, normalizeUtterance, phrasesOf, recognise, sampleAnswer, type Branch } from '../../../src/scenario/recognition.js';

const intents: Branch[] = [
  { id: 'yes', intent: 'yes', keywords: [] },
  { id: 'no', intent: 'no', keywords: [] },
  { id: 'later', intent: 'callback', keywords: [] },
];
const branchOf = (text: string, branches: readonly Branch[] = intents) => recognise(text, branches)?.id;

describe('recognise', () => {
  describe('the longest phrase wins', () => {
    it.each([
      ['интересно', 'yes'],
      ['не интересно', 'no'],
      ['Это очень интересно!', 'yes'],
      ['Нет, мне это не интересно', 'no'],
      ['неинтересно', 'no'],
      ['interested', 'yes'],
      ['not interested', 'no'],
      ["I'm not interested, thanks", 'no'],
      ['Yes, I am interested', 'yes'],
      ['sure, call me back later', 'later'],
      ['Не могу говорить, перезвоните', 'later'],
      ['Not now', 'no'],
      ['not a good time', 'later'],
    ])('%j → %s', (text, branch) => {
      expect(branchOf(text)).toBe(branch);
    });
  });

  describe('stems: a long keyword matches its word forms', () => {
    it.each([
      ['интересует', 'yes'],
      ['Меня это интересует', 'yes'],
      ['не интересует', 'no'],
      ['Согласна', 'yes'],
      ['хорошо', 'yes'],
      ['Перезвоните мне завтра', 'later'],
      ['interesting', 'yes'],
    ])('%j → %s', (text, branch) => {
      expect(branchOf(text)).toBe(branch);
    });

    it('short keywords must match whole words: "да" is not found inside "даже"', () => {
      expect(branchOf('даже не знаю')).toBeUndefined();
      expect(branchOf('ok')).toBe('yes');
      expect(branchOf('okapi')).toBeUndefined();
    });
  });

  it('case, ё and punctuation do not matter', () => {
    expect(branchOf('ДА!!!')).toBe('yes');
    expect(branchOf('Ещё бы… да.')).toBe('yes');
    expect(branchOf('NO.')).toBe('no');
  });

  it('ties go to the earlier branch', () => {
    expect(branchOf('да нет')).toBe('yes');
    expect(branchOf('да нет', [intents[1]!, intents[0]!])).toBe('no');
    const twins: Branch[] = [
      { id: 'first', keywords: ['price'] },
      { id: 'second', keywords: ['price'] },
    ];
    expect(branchOf('the price', twins)).toBe('first');
  });

  it('a branch’s own keywords add to its intent, and a longer keyword beats the intent of another branch', () => {
    const branches: Branch[] = [
      { id: 'yes', intent: 'yes', keywords: [] },
      { id: 'expensive', keywords: ['да ну дорого'] },
    ];
    expect(branchOf('да ну, дорого', branches)).toBe('expensive');
    expect(branchOf('да', branches)).toBe('yes');
  });

  it('silence or an answer nothing matches gives no branch', () => {
    expect(branchOf('')).toBeUndefined();
    expect(branchOf('   ...  ')).toBeUndefined();
    expect(branchOf('кто это?')).toBeUndefined();
    expect(branchOf('who is this?')).toBeUndefined();
  });
});

describe('recognition helpers', () => {
  it('normalises an utterance to lower-case words, ё as е, punctuation gone', () => {
    expect(normalizeUtterance('Ещё раз, ПОЖАЛУЙСТА! Don’t-care')).toEqual(['еще', 'раз', 'пожалуйста', 'don', 't-care']);
    expect(normalizeUtterance("don't")).toEqual(["don't"]);
  });

  it('bestPhraseMatch gives the length in words of the longest phrase found', () => {
    const words = normalizeUtterance('мне это не интересно совсем');
    expect(bestPhraseMatch(words, ['интересно', 'не интересно'])).toBe(2);
    expect(bestPhraseMatch(words, ['совсем не'])).toBe(0);
    expect(bestPhraseMatch(words, [])).toBe(0);
  });

  it('a branch’s phrases are its keywords first, then its intent’s vocabulary in both languages', () => {
    const phrases = phrasesOf({ id: 'b', intent: 'callback', keywords: ['завтра'] });
    expect(phrases[0]).toBe('завтра');
    expect(phrases).toEqual(expect.arrayContaining(['перезвоните', 'call me back']));
    expect(phrasesOf({ id: 'k', keywords: ['price'] })).toEqual(['price']);
  });

  it('a cooperative callee answers with the first keyword, or else with the intent', () => {
    expect(sampleAnswer({ id: 'b', intent: 'yes', keywords: ['sure thing'] })).toEqual({ text: 'sure thing' });
    expect(sampleAnswer({ id: 'b', intent: 'no', keywords: [] })).toEqual({ intent: 'no' });
    expect(sampleAnswer({ id: 'b', keywords: [] })).toBeUndefined();
  });
});
