import type { Outcome } from '../../../core/outcome.js';
import { t, type Locale } from '../../../i18n.js';
import type { Attempt } from '../../../store/repositories/attempts.js';

/**
 * Texts written into a portal, in the portal's language (C8): the timeline comment of a call, the
 * robot's log lines, the answers as plain text (the `answers` return value).
 */
export const outcomeText = (lng: Locale, o: Outcome | 'pending' | null): string => t(lng, `bitrix24.outcome.${o ?? 'failed'}`);

export { answersText, talkSeconds } from '../../shared/callTexts.js';
import { answersText, talkSeconds } from '../../shared/callTexts.js';

export function callComment(lng: Locale, a: Attempt, o: { templateName: string; recordingUrl: string | null }): string {
  const lines = [
    t(lng, 'bitrix24.comment.header', { phone: a.phone, template: o.templateName }),
    t(lng, 'bitrix24.comment.outcome', { outcome: outcomeText(lng, a.outcome), attempt: a.attemptNo, seconds: talkSeconds(a) }),
  ];
  if (a.result) lines.push(t(lng, 'bitrix24.comment.result', { result: a.result }));
  if (a.tags.length) lines.push(t(lng, 'bitrix24.comment.tags', { tags: a.tags.join(', ') }));
  if (a.gender && a.gender !== 'unknown') lines.push(t(lng, 'bitrix24.comment.gender', { gender: t(lng, `bitrix24.gender.${a.gender}`) }));
  const answers = answersText(a);
  if (answers) lines.push(t(lng, 'bitrix24.comment.answers'), answers);
  if (o.recordingUrl) lines.push(t(lng, 'bitrix24.comment.recording', { url: o.recordingUrl }));
  return lines.join('\n');
}

export function attemptLogLine(lng: Locale, a: Attempt): string {
  return t(lng, 'bitrix24.log.attempt', { attempt: a.attemptNo, phone: a.phone, outcome: outcomeText(lng, a.outcome) });
}

/**
 * `telephony.externalcall.finish` STATUS_CODE per outcome (brief §5.4): answered calls 200,
 * busy 486, not answered 304 ("missed"), network failure 503, no such number 404, cancelled 603-S.
 */
export const STATUS_CODE: Record<Outcome, string> = {
  human: '200',
  machine: '200',
  short: '200',
  busy: '486',
  no_answer: '304',
  failed: '503',
  invalid_number: '404',
  cancelled: '603-S',
};
