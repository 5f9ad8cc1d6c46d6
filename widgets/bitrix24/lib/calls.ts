/// <reference lib="dom" />
import type { HistoryEntry } from '../../../src/crm/bitrix24/history.js';
import { h, newId } from './dom.js';
import { dateTime, duration, outcomeTone } from './format.js';
import { has, t } from './i18n.js';

/** One call of a deal's or lead's history as a card: what happened, when, to whom, what was said, the recording. */
export function outcomeName(c: Pick<HistoryEntry, 'status' | 'outcome' | 'outcomeText'>): string {
  if (c.status !== 'completed') return has(`placements.call.state.${c.status}`) ? t(`placements.call.state.${c.status}`) : c.status;
  if (c.outcome && has(`outcome.${c.outcome}`)) return t(`outcome.${c.outcome}`);
  return c.outcomeText ?? t('placements.call.unknown_outcome');
}

function fact(label: string, ...value: (Node | string)[]): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, ...value));
}

export function callCard(c: HistoryEntry): HTMLElement {
  const titleId = newId('call');
  const when = dateTime(c.startedAt);
  const done = c.status === 'completed';
  const tone = done ? outcomeTone(c.outcome) : 'progress';
  const meta = [c.phone, c.templateName, t('placements.call.attempt', { n: c.attemptNo })];
  if (done && c.talkSec > 0) meta.push(t('placements.call.talk', { duration: duration(c.talkSec) }));

  const facts: HTMLElement[] = [];
  if (c.result) facts.push(fact(t('placements.call.result'), h('span', { class: 'chip chip-strong' }, c.result)));
  if (c.tags.length) facts.push(fact(t('placements.call.tags'), ...c.tags.map((x) => h('span', { class: 'chip' }, x))));
  if (c.gender && c.gender !== 'unknown') facts.push(fact(t('placements.call.gender'), has(`bitrix24.gender.${c.gender}`) ? t(`bitrix24.gender.${c.gender}`) : c.gender));

  const answers = c.answers.filter((a) => a.question || a.text);
  let recording: HTMLElement | null = null;
  // Only once the MP3 copy is ready: a player opened earlier would keep the original's link.
  if (c.recordingUrl && !c.recordingPending) {
    recording = h('audio', {
      class: 'recording',
      controls: true,
      preload: 'none',
      src: c.recordingUrl,
      'aria-label': t('placements.call.recording_label', { phone: c.phone, when }),
    });
  } else if (c.recordingPending) {
    recording = h('p', { class: 'muted small' }, t('placements.call.recording_pending'));
  }

  return h(
    'article',
    { class: `call tone-line-${tone}`, 'aria-labelledby': titleId, 'data-attempt': c.attemptId },
    h(
      'header',
      { class: 'call-head' },
      h('span', { id: titleId, class: `badge tone-${tone}` }, outcomeName(c)),
      h('time', { datetime: c.startedAt, class: 'muted' }, when),
    ),
    h('p', { class: 'call-meta' }, meta.join(' · ')),
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    answers.length
      ? h(
          'table',
          { class: 'answers' },
          h('caption', null, t('placements.call.answers')),
          h('thead', { class: 'visually-hidden' }, h('tr', null, h('th', { scope: 'col' }, t('placements.call.question')), h('th', { scope: 'col' }, t('placements.call.answer')))),
          h('tbody', null, answers.map((a) => h('tr', null, h('th', { scope: 'row' }, a.question), h('td', null, a.text)))),
        )
      : null,
    recording,
  );
}
