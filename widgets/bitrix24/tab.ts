/// <reference lib="dom" />
import type { HistoryEntry } from '../../src/crm/bitrix24/history.js';
import type { CampaignProgress, PlacementWidgetConfig, StartedAnswer, TemplateItem } from '../../src/http/bitrix24/pages/widgetConfig.js';
import { ApiError } from './lib/api.js';
import { callCard } from './lib/calls.js';
import { fill, h } from './lib/dom.js';
import { count } from './lib/format.js';
import { t } from './lib/i18n.js';
import { boot, type PageContext } from './lib/page.js';
import { poll, type Poller } from './lib/poll.js';
import { campaignStatusText, errorMessage, errorNotice, isSettled, rememberTemplate, statusLine, templateField, totals } from './lib/ui.js';

/**
 * The "Voice bot" tab of a deal or lead card (CRM_DEAL_DETAIL_TAB / CRM_LEAD_DETAIL_TAB): the
 * card's calls, newest first, and "Call now" with a template. A started call shows as queued at
 * once and is followed until it is done (campaign and history refreshed with backoff, only while
 * the tab is visible); then the history shows its outcome, answers and recording.
 */
interface Pending {
  campaignId: string;
  templateName: string;
  progress?: CampaignProgress;
  settled: boolean;
}

boot<PlacementWidgetConfig>(async ({ cfg, api, root }: PageContext<PlacementWidgetConfig>) => {
  const entity = cfg.entity;
  const id = cfg.ids[0];
  const heading = h('h1', { class: 'visually-hidden' }, t('placements.tab.title'));
  if (!id) {
    fill(root, heading, h('p', { class: 'notice notice-warn', role: 'alert' }, t('placements.tab.no_id')));
    return;
  }

  let templates: TemplateItem[];
  let first: HistoryEntry[];
  try {
    [templates, first] = await Promise.all([
      api.get<{ templates: TemplateItem[] }>('templates').then((r) => r.templates),
      api.get<{ calls: HistoryEntry[] }>(`history?entity=${entity}&id=${id}`).then((r) => r.calls),
    ]);
  } catch (e) {
    // The user's own Bitrix24 rights hide this card's record: say so — nothing to retry, nothing to call.
    if (e instanceof ApiError && e.status === 403) {
      fill(root, heading, h('p', { id: 'forbidden', class: 'notice notice-warn', role: 'alert' }, e.message));
      return;
    }
    throw e;
  }

  const status = statusLine('status');
  const callError = h('div', { id: 'call-error' });
  const history = h('div', { id: 'history', class: 'history' });
  const pending = new Map<string, Pending>();
  let calls = first;
  let poller: Poller | undefined;
  let recordingTries = 0;

  // ---------------------------------------------------------------- the toolbar
  let toolbar: HTMLElement;
  if (templates.length === 0) {
    toolbar = h('p', { class: 'notice notice-warn' }, t('placements.common.no_templates'));
  } else {
    const { field, select } = templateField(templates);
    const button = h('button', { id: 'call', type: 'submit', class: 'btn btn-primary' }, t('placements.tab.call_now'));
    toolbar = h(
      'form',
      {
        id: 'call-form',
        class: 'toolbar',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void start(select, button);
        },
      },
      field,
      h('div', { class: 'field field-action' }, button),
    );
  }

  async function start(select: HTMLSelectElement, button: HTMLButtonElement): Promise<void> {
    const template = templates.find((x) => x.id === select.value);
    if (!template) return;
    button.disabled = true;
    button.textContent = t('placements.tab.starting');
    fill(callError);
    status.say('');
    try {
      const started = await api.post<StartedAnswer>('calls', { templateId: template.id, entity, ids: [id] });
      rememberTemplate(template.id);
      pending.set(started.campaignId, { campaignId: started.campaignId, templateName: template.name, settled: false });
      status.say(t('placements.tab.queued'), 'ok');
      render();
      watch();
    } catch (e) {
      status.say(errorMessage(e), 'error');
      fill(callError, errorNotice(e));
    } finally {
      button.disabled = false;
      button.textContent = t('placements.tab.call_now');
    }
  }

  // ---------------------------------------------------------------- following a started call
  function watch(): void {
    if (poller?.running) {
      poller.kick();
      return;
    }
    poller = poll({
      tick: refresh,
      onStop: (why, error) => {
        if (why === 'errors') fill(callError, errorNotice(error, () => watch()));
        else if (why === 'gave_up') status.say(t('placements.progress.gave_up'));
      },
    });
  }

  /** One look at every unsettled campaign and the history; true when nothing is left to wait for. */
  async function refresh(): Promise<boolean> {
    const open = [...pending.values()].filter((p) => !p.settled);
    const progress = await Promise.all(open.map((p) => api.get<CampaignProgress>(`campaigns/${p.campaignId}`)));
    calls = (await api.get<{ calls: HistoryEntry[] }>(`history?entity=${entity}&id=${id}`)).calls;
    progress.forEach((p, i) => {
      const entry = open[i]!;
      entry.progress = p;
      entry.settled = isSettled(p) && !calls.some((c) => c.campaignId === p.id && c.status !== 'completed');
    });
    const finishedNow = open.filter((p) => p.settled);
    for (const p of finishedNow) {
      const s = p.progress ? totals(p.progress) : undefined;
      if (p.progress && s && s.total === 0 && p.progress.intake?.status === 'done') status.say(t(`placements.tab.no_phone_${entity}`), 'error');
      else if (p.progress && p.progress.status === 'paused') status.say(t('placements.tab.campaign_stopped', { status: campaignStatusText(p.progress.status, p.progress.statusReason) }), 'error');
      else if (s && s.callback > 0) status.say(t('placements.progress.redial_later'), 'ok');
      else status.say(t('placements.tab.finished'), 'ok');
      // Done and visible in the history: the placeholder has served its purpose.
      if (calls.some((c) => c.campaignId === p.campaignId) || !s || s.total > 0) pending.delete(p.campaignId);
    }
    render();
    const waiting = [...pending.values()].some((p) => !p.settled) || calls.some((c) => c.status !== 'completed');
    if (waiting) return false;
    // The recording is stored moments after the call: look a few more times for it.
    if (calls.some((c) => c.recordingPending) && recordingTries < 10) {
      recordingTries += 1;
      return false;
    }
    recordingTries = 0;
    return true;
  }

  // ---------------------------------------------------------------- rendering
  function pendingCard(p: Pending): HTMLElement {
    const s = p.progress ? totals(p.progress) : undefined;
    let line: string;
    if (!p.progress || p.progress.intake?.status === 'running') line = t('placements.tab.reading');
    else if (s && s.total === 0) line = t(`placements.tab.no_phone_${entity}`);
    else line = campaignStatusText(p.progress.status, p.progress.statusReason) + (s ? ` · ${t('placements.progress.bar', { done: count(s.done), total: count(s.total) })}` : '');
    const warn = p.settled && s?.total === 0;
    return h(
      'article',
      { class: `call call-pending tone-line-${warn ? 'warn' : 'progress'}` },
      h('header', { class: 'call-head' }, h('span', { class: `badge tone-${warn ? 'warn' : 'progress'}` }, t('placements.tab.pending', { template: p.templateName }))),
      h('p', { class: 'muted' }, line),
    );
  }

  /**
   * Cards are kept by attempt and rebuilt only when that call changed, and the list is patched in
   * place: a refresh while someone listens to a recording neither stops the player nor makes a
   * screen reader read the list again.
   */
  const cards = new Map<string, { sig: string; el: HTMLElement }>();
  let list: HTMLOListElement | undefined;

  function item(key: string, data: unknown, build: () => HTMLElement): HTMLElement {
    const sig = JSON.stringify(data);
    const hit = cards.get(key);
    if (hit && hit.sig === sig) return hit.el;
    const el = h('li', null, build());
    cards.set(key, { sig, el });
    return el;
  }

  function render(): void {
    const placeholders = [...pending.values()].filter((p) => !calls.some((c) => c.campaignId === p.campaignId));
    if (calls.length === 0 && placeholders.length === 0) {
      list = undefined;
      cards.clear();
      fill(history, h('div', { class: 'empty' }, h('p', null, t(`placements.tab.empty_${entity}`)), templates.length ? h('p', { class: 'muted' }, t('placements.tab.empty_hint')) : null));
      return;
    }
    const wanted = [
      ...placeholders.map((p) => item(`campaign:${p.campaignId}`, p, () => pendingCard(p))),
      ...calls.map((c) => item(`attempt:${c.attemptId}`, c, () => callCard(c))),
    ];
    if (!list || list.parentNode !== history) {
      list = h('ol', { class: 'calls', 'aria-label': t('placements.call.list_label') });
      fill(history, list);
    }
    wanted.forEach((el, i) => {
      if (list!.children[i] !== el) list!.insertBefore(el, list!.children[i] ?? null);
    });
    while (list.children.length > wanted.length) list.lastElementChild!.remove();
    const keep = new Set(wanted);
    for (const [key, v] of cards) if (!keep.has(v.el)) cards.delete(key);
  }

  async function reload(): Promise<void> {
    try {
      calls = (await api.get<{ calls: HistoryEntry[] }>(`history?entity=${entity}&id=${id}`)).calls;
      render();
      if (pending.size || calls.some((c) => c.status !== 'completed' || c.recordingPending)) watch();
    } catch (e) {
      fill(history, errorNotice(e, () => void reload()));
    }
  }

  fill(
    root,
    heading,
    toolbar,
    status,
    callError,
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'history-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'history-title' }, t('placements.tab.history')),
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => void reload() }, t('placements.common.refresh')),
      ),
      history,
    ),
  );
  render();
  // Calls still going on when the tab opens are followed too.
  if (calls.some((c) => c.status !== 'completed' || c.recordingPending)) watch();
});
