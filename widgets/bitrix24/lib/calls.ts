/// <reference lib="dom" />
import type { HistoryEntry } from '../../../src/crm/bitrix24/history.js';
import { callView, type CallTexts } from '../../shared/callView.js';
import { h, newId } from './dom.js';
import { has, lang, t } from './i18n.js';

/**
 * One call of a deal's or lead's history as a card. What the card says — outcome and tone, the
 * line under it, the facts, the answers, the recording — comes from the shared `callView`
 * (widgets/shared/callView.ts), the same the console and the amoCRM panel use; this file only
 * lays it out in the tab's markup.
 *
 * Why not the console's Vue components here: this tab is a small page of its own in the deal's
 * iframe, opened with every deal card. Its whole script is a few KB compressed (`npm run bench --
 * console` prints `b24_tab_js_gz_kb`); Vue with the console's UI kit and its stylesheet would
 * multiply that for a card that is static markup. Sharing the view, not the framework, keeps one
 * source for how a call reads at no cost to the page.
 */
const pageTexts: CallTexts = {
  t,
  has,
  get lang() {
    return lang();
  },
};

export function callCard(c: HistoryEntry): HTMLElement {
  const v = callView(c, pageTexts);
  const titleId = newId('call');
  const facts = v.facts.map((f) =>
    h(
      'div',
      { class: 'fact' },
      h('dt', null, f.label),
      h('dd', null, ...(f.items ? f.items.map((x) => h('span', { class: 'chip' }, x)) : [f.key === 'result' ? h('span', { class: 'chip chip-strong' }, f.value) : f.value])),
    ),
  );
  const rec = v.recording;
  const recording =
    rec.state === 'ready'
      ? h('audio', { class: 'recording', controls: true, preload: 'none', src: rec.url, 'aria-label': rec.label })
      : rec.state === 'pending'
        ? h('p', { class: 'muted small' }, rec.text)
        : null;

  return h(
    'article',
    { class: `call tone-line-${v.tone}`, 'aria-labelledby': titleId, 'data-attempt': c.attemptId },
    h('header', { class: 'call-head' }, h('span', { id: titleId, class: `badge tone-${v.tone}` }, v.outcome), h('time', { datetime: v.startedAt, class: 'muted' }, v.when)),
    h('p', { class: 'call-meta' }, v.meta.join(' · ')),
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    v.answers.length
      ? h(
          'table',
          { class: 'answers' },
          h('caption', null, v.labels.answers),
          h('thead', { class: 'visually-hidden' }, h('tr', null, h('th', { scope: 'col' }, v.labels.question), h('th', { scope: 'col' }, v.labels.answer))),
          h('tbody', null, v.answers.map((a) => h('tr', null, h('th', { scope: 'row' }, a.question), h('td', null, a.text)))),
        )
      : null,
    recording,
  );
}
