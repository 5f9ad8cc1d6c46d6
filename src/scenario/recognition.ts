/**
 * Keyword / intent recognition for the question-answer element (M10). Built-in intents carry their
 * own vocabulary in both languages; a branch may add keywords. The longest matching phrase wins, so
 * "не интересно" beats "интересно" and "not interested" beats "interested".
 */
export const BUILTIN_INTENTS = ['yes', 'no', 'callback'] as const;
export type BuiltinIntent = (typeof BUILTIN_INTENTS)[number];

// Recognition vocabulary (what callees say), not interface text: it stays in code with the matcher.
const VOCABULARY: Record<BuiltinIntent, string[]> = {
  yes: [
    'да', 'ага', 'конечно', 'интересно', 'интересует', 'хочу', 'давайте', 'согласен', 'согласна', 'хорошо', 'можно',
    'yes', 'yeah', 'yep', 'sure', 'of course', 'interested', 'i want', 'ok', 'okay', 'agree', 'go ahead',
  ],
  no: [
    'нет', 'не интересно', 'не интересует', 'не надо', 'не нужно', 'не хочу', 'неинтересно', 'отказываюсь', 'спасибо нет',
    'no', 'nope', 'not interested', 'no thanks', 'do not', "don't", 'not now', 'never',
  ],
  callback: [
    'перезвоните', 'позже', 'занят', 'занята', 'неудобно', 'не могу говорить',
    'call me back', 'call back', 'later', 'busy now', 'not a good time',
  ],
};

export function normalizeUtterance(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}'\s-]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word match with a crude stem: long keyword words match by prefix ("интересно" ~ "интересном"). */
function wordMatches(keyword: string, word: string): boolean {
  if (keyword.length >= 5) {
    const stem = keyword.slice(0, Math.max(4, keyword.length - 2));
    return word.startsWith(stem);
  }
  return word === keyword;
}

/** Length (in words) of the longest phrase of `phrases` found in `words`; 0 when none. */
export function bestPhraseMatch(words: string[], phrases: string[]): number {
  let best = 0;
  for (const phrase of phrases) {
    const pw = normalizeUtterance(phrase);
    if (pw.length === 0 || pw.length <= best) continue;
    for (let i = 0; i + pw.length <= words.length; i++) {
      if (pw.every((k, j) => wordMatches(k, words[i + j]!))) {
        best = pw.length;
        break;
      }
    }
  }
  return best;
}

export interface Branch {
  id: string;
  intent?: BuiltinIntent | undefined;
  keywords: string[];
}

export function phrasesOf(branch: Branch): string[] {
  return [...branch.keywords, ...(branch.intent ? VOCABULARY[branch.intent] : [])];
}

/** The branch the utterance belongs to, or undefined (no match). Ties go to the earlier branch. */
export function recognise(text: string, branches: readonly Branch[]): Branch | undefined {
  const words = normalizeUtterance(text);
  if (words.length === 0) return undefined;
  let winner: Branch | undefined;
  let score = 0;
  for (const b of branches) {
    const s = bestPhraseMatch(words, phrasesOf(b));
    if (s > score) {
      score = s;
      winner = b;
    }
  }
  return winner;
}

/**
 * What a cooperative callee would say to take this branch: its first keyword, or else its intent
 * (the sandbox's simulated callee turns an intent into a phrase from its locale files).
 */
export function sampleAnswer(branch: Branch): { text: string } | { intent: BuiltinIntent } | undefined {
  if (branch.keywords[0]) return { text: branch.keywords[0] };
  return branch.intent ? { intent: branch.intent } : undefined;
}
