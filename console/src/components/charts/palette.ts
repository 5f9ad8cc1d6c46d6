/** Colours of outcomes and series, close to Bitrix24's own palette; the same outcome always has the same colour. */
export const OUTCOME_COLORS: Record<string, string> = {
  human: '#1bce7b',
  machine: '#a8adb4',
  busy: '#ffa900',
  no_answer: '#c9ccd0',
  short: '#f7d26a',
  failed: '#ff5752',
  invalid_number: '#d1392d',
  cancelled: '#828b95',
};
export const SERIES = ['#2fc6f6', '#0075ff', '#1bce7b', '#ffa900', '#ff5752', '#a8adb4', '#8e52ec', '#0ec1d8'];
export const OUTCOME_ORDER = ['human', 'machine', 'busy', 'no_answer', 'short', 'failed', 'invalid_number', 'cancelled'];
