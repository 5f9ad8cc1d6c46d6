import type { SpeechLang } from './speechSynthesizer.js';

/**
 * Turns text into a timeline of syllables and pauses. It is the single source of speech timing:
 * `estimateSpeechMs` sums it and `GeneratedSynthesizer` renders it, so the simulator's estimate
 * and the generated recording always agree to the sample.
 */

/** Vowel qualities the generated voice can produce (one formant set each). */
export type Vowel = 'a' | 'o' | 'u' | 'y' | 'e' | 'i' | 'schwa';
/** Consonant classes, rendered differently: hiss, burst, hum, or nothing audible. */
export type ConsonantClass = 'fricative' | 'plosive' | 'sonorant' | 'silent';

/** One voiced syllable: optional consonant onset, a vowel, optional consonant coda. */
export interface Syllable {
  kind: 'syllable';
  /** Total length, ms. */
  ms: number;
  onset?: { cls: ConsonantClass; ms: number };
  vowel: Vowel;
  coda?: { cls: ConsonantClass; ms: number };
  /** Carries the word's accent (pitch and loudness bump). */
  stressed: boolean;
  /** Position in its phrase (0-based) and the phrase's syllable count, for the pitch contour. */
  index: number;
  count: number;
  /** How the phrase ends: falling statement, rising question, emphatic exclamation. */
  ending: 'statement' | 'question' | 'exclamation';
}

/** Silence between words or at punctuation. */
export interface Pause {
  kind: 'pause';
  ms: number;
}

export type SpeechSegment = Syllable | Pause;

/**
 * Speaking rate in letters per second. Chosen so whole sentences (spaces and punctuation
 * included) come out at 13.5–15.5 characters per second, within ±10 % of espeak-ng 1.51 at
 * `-s 150` on typical prompts (measured: Russian 14.0, English 12.9 characters per second).
 */
const LETTERS_PER_SECOND: Record<SpeechLang, number> = { ru: 16, en: 14.5 };
/** Gap between words, ms: short, as in connected speech. */
const WORD_GAP_MS = 50;
/** Pause at a comma, semicolon, colon or dash, ms. */
const CLAUSE_PAUSE_MS = 250;
/** Pause at the end of a sentence, ms. */
const SENTENCE_PAUSE_MS = 450;
/** Share of a consonant letter's time given to the consonant (the rest lengthens the vowel). */
const CONSONANT_SHARE = 0.7;
/** The whole utterance is never shorter than this: even an empty prompt makes an audible "mm". */
export const MIN_UTTERANCE_MS = 250;

const VOWELS: Record<string, Vowel> = {
  а: 'a', я: 'a', a: 'a',
  о: 'o', ё: 'o', o: 'o',
  у: 'u', ю: 'u', u: 'u',
  ы: 'y', y: 'i',
  э: 'e', е: 'e', e: 'e',
  и: 'i', i: 'i',
};

const CONSONANTS: Record<string, ConsonantClass> = {};
for (const c of 'сзшжщфвхцчsfvhzcxj') CONSONANTS[c] = 'fricative';
for (const c of 'пбтдкгptdkbgq') CONSONANTS[c] = 'plosive';
for (const c of 'мнлрйmnlrw') CONSONANTS[c] = 'sonorant';
for (const c of 'ьъ') CONSONANTS[c] = 'silent';

const DIGITS: Record<SpeechLang, readonly string[]> = {
  ru: ['ноль', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
};

type Token = { kind: 'word'; letters: string } | { kind: 'gap' | 'clause' | 'sentence'; ending?: Syllable['ending'] };

/** Splits text into words and the pauses between them; digits are read one by one. */
function tokenize(text: string, lang: SpeechLang): Token[] {
  const tokens: Token[] = [];
  const re = /(\p{L}+)|(\p{N})|([.!?…\n]+)|([,;:—–()]+)|(\s+|[^\p{L}\p{N}])/gu;
  for (const m of text.toLowerCase().matchAll(re)) {
    if (m[1]) tokens.push({ kind: 'word', letters: m[1] });
    else if (m[2]) tokens.push({ kind: 'word', letters: DIGITS[lang][Number(m[2])] ?? 'mm' }, { kind: 'gap' });
    else if (m[3]) tokens.push({ kind: 'sentence', ending: endingOf(m[3]) });
    else if (m[4]) tokens.push({ kind: 'clause' });
    else tokens.push({ kind: 'gap' });
  }
  return tokens;
}

function endingOf(punct: string): Syllable['ending'] {
  if (punct.includes('?')) return 'question';
  if (punct.includes('!')) return 'exclamation';
  return 'statement';
}

type Draft = Omit<Syllable, 'index' | 'count' | 'ending'>;

/** Splits a word into syllables, one per vowel; a word without vowels still gets one. */
function syllabify(word: string, letterMs: number): Draft[] {
  const letters = [...word];
  const nuclei = letters.flatMap((c, i) => (VOWELS[c] ? [i] : []));
  if (nuclei.length === 0) nuclei.push(-1); // e.g. "в", "к", "мм": a neutral vowel after the consonants
  const drafts: Draft[] = [];
  let start = 0;
  nuclei.forEach((nucleus, k) => {
    const isLast = k === nuclei.length - 1;
    const end = isLast ? letters.length : nucleus + 1;
    // Without a vowel (nucleus −1) every letter is onset; otherwise the onset runs up to the vowel.
    const onsetLetters = letters.slice(start, nucleus < 0 ? end : nucleus);
    const codaLetters = isLast && nucleus >= 0 ? letters.slice(nucleus + 1, end) : [];
    const onsetMs = onsetLetters.length * letterMs * CONSONANT_SHARE;
    const codaMs = codaLetters.length * letterMs * CONSONANT_SHARE;
    const total = Math.max(end - start, 1) * letterMs;
    const vowelChar = nucleus >= 0 ? letters[nucleus] : undefined;
    drafts.push({
      kind: 'syllable',
      ms: total,
      ...(onsetLetters.length ? { onset: { cls: clusterClass(onsetLetters.at(-1)), ms: onsetMs } } : {}),
      vowel: (vowelChar && VOWELS[vowelChar]) || 'schwa',
      ...(codaLetters.length ? { coda: { cls: clusterClass(codaLetters[0]), ms: codaMs } } : {}),
      stressed: false,
    });
    start = end;
  });
  // Penultimate stress is the most common pattern in both languages; good enough for a contour.
  const stressed = drafts[Math.max(0, drafts.length - 2)];
  if (stressed) stressed.stressed = true;
  return drafts;
}

/** The consonant next to the vowel decides how a cluster sounds. */
function clusterClass(letter: string | undefined): ConsonantClass {
  return (letter && CONSONANTS[letter]) || 'fricative';
}

/** Builds the speech timeline for `text`. Deterministic; never empty. */
export function planSpeech(text: string, lang: SpeechLang): SpeechSegment[] {
  const letterMs = 1000 / LETTERS_PER_SECOND[lang];
  const segments: SpeechSegment[] = [];
  let phrase: Syllable[] = [];
  const closePhrase = (ending: Syllable['ending']) => {
    phrase.forEach((s, i) => Object.assign(s, { index: i, count: phrase.length, ending }));
    phrase = [];
  };
  const pause = (ms: number) => {
    const last = segments.at(-1);
    if (!last) return; // no leading silence: the recording pipeline owns the gaps between turns
    // Consecutive marks ("?!", ", —") make one pause, as long as the longest of them.
    if (last.kind === 'pause') last.ms = Math.max(last.ms, ms);
    else segments.push({ kind: 'pause', ms });
  };
  for (const token of tokenize(text, lang)) {
    if (token.kind === 'word') {
      for (const draft of syllabify(token.letters, letterMs)) {
        const syllable: Syllable = { ...draft, index: 0, count: 1, ending: 'statement' };
        segments.push(syllable);
        phrase.push(syllable);
      }
    } else if (token.kind === 'gap') {
      pause(WORD_GAP_MS);
    } else {
      pause(token.kind === 'clause' ? CLAUSE_PAUSE_MS : SENTENCE_PAUSE_MS);
      // A clause keeps the sentence's contour going only for the listener; a new one starts here.
      closePhrase(token.ending ?? 'statement');
    }
  }
  closePhrase('statement');
  while (segments.at(-1)?.kind === 'pause') segments.pop();
  if (segments.length === 0) {
    return [
      {
        kind: 'syllable',
        ms: MIN_UTTERANCE_MS,
        onset: { cls: 'sonorant', ms: MIN_UTTERANCE_MS * 0.4 },
        vowel: 'schwa',
        stressed: true,
        index: 0,
        count: 1,
        ending: 'statement',
      },
    ];
  }
  const total = segments.reduce((sum, s) => sum + s.ms, 0);
  if (total < MIN_UTTERANCE_MS) {
    const last = segments.at(-1);
    if (last) last.ms += MIN_UTTERANCE_MS - total;
  }
  return segments;
}
