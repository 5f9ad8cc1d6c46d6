import type { Attempt } from '../../store/repositories/attempts.js';

/** Plain texts of a call that every CRM write-back uses. */

/** "Question: what was said (branch)", one per line, in the order asked. */
export function answersText(a: Pick<Attempt, 'answers'>): string {
  return Object.values(a.answers)
    .map((x) => `${x.question}: ${x.text || '—'}${x.branch ? ` (${x.branch})` : ''}`)
    .join('\n');
}

/** Talk time in whole seconds. */
export const talkSeconds = (a: Pick<Attempt, 'talkSec'>): number => Math.round(a.talkSec ?? 0);
