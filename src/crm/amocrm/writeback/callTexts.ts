import type { Outcome } from '../../../core/outcome.js';
import { t, type Locale } from '../../../i18n.js';
import type { Attempt } from '../../../store/repositories/attempts.js';
import { talkSeconds } from '../../shared/callTexts.js';

/**
 * What a call becomes in the lead's feed (C6, brief §7 option B): a `call_out` note whose `uniq` is
 * our attempt id (amoCRM does not deduplicate by it — we do), the talk time, the number, our
 * recording link (played in the feed), `call_status` mapped from the outcome and `call_result` in
 * the account's language; and the tags that mark the lead.
 */

/**
 * `call_status` per outcome (brief §7): 4 conversation took place (a person answered, even briefly),
 * 3 not available (an answering machine), 7 busy, 6 not reached (no answer, operator failure,
 * cancelled), 5 wrong number.
 */
export const CALL_STATUS: Record<Outcome, number> = {
  human: 4,
  short: 4,
  machine: 3,
  busy: 7,
  no_answer: 6,
  failed: 6,
  cancelled: 6,
  invalid_number: 5,
};

export const outcomeText = (lng: Locale, o: Outcome | null): string => t(lng, `amocrm.outcome.${o ?? 'failed'}`);

/** `call_result`: the outcome, the result and the gender, in a line (amoCRM shows it beside the player). */
export function callResult(lng: Locale, a: Attempt): string {
  const parts = [outcomeText(lng, a.outcome)];
  if (a.result) parts.push(t(lng, 'amocrm.note.result', { result: a.result }));
  if (a.gender === 'female' || a.gender === 'male') parts.push(t(lng, `amocrm.gender.${a.gender}`));
  return parts.join('; ').slice(0, 255);
}

export function noteParams(lng: Locale, a: Attempt, link: string | null): Record<string, unknown> {
  return {
    uniq: a.id,
    duration: talkSeconds(a),
    source: t(lng, 'amocrm.note.source'),
    phone: a.phone,
    ...(link ? { link } : {}),
    call_status: CALL_STATUS[a.outcome ?? 'failed'],
    call_result: callResult(lng, a),
  };
}

/** Tags for the lead: the outcome, the gender when recognised, the result, and the scenario's own tags. */
export function callTags(lng: Locale, a: Attempt): string[] {
  const tags = [t(lng, 'amocrm.tag.outcome', { outcome: outcomeText(lng, a.outcome) })];
  if (a.gender === 'female' || a.gender === 'male') tags.push(t(lng, 'amocrm.tag.gender', { gender: t(lng, `amocrm.gender.${a.gender}`) }));
  if (a.result) tags.push(t(lng, 'amocrm.tag.result', { result: a.result }));
  tags.push(...a.tags);
  return [...new Set(tags.map((x) => x.trim()).filter(Boolean))];
}
