/// <reference lib="dom" />
import type { CampaignProgress, PlacementWidgetConfig, StartedAnswer, TemplateItem } from '../../src/http/bitrix24/pages/widgetConfig.js';
import { fill, h } from './lib/dom.js';
import { count } from './lib/format.js';
import { closePortalWindow, portalCall } from './lib/frame.js';
import { t } from './lib/i18n.js';
import { boot, type PageContext } from './lib/page.js';
import { poll } from './lib/poll.js';
import { errorMessage, errorNotice, isSettled, maxAttemptsField, progressView, rememberTemplate, statusLine, templateField, totals } from './lib/ui.js';

/**
 * "Call with voice bot" in the deal / lead list menu (CRM_DEAL_LIST_MENU / CRM_LEAD_LIST_MENU): a
 * small dialog for the rows the portal passed (`PLACEMENT_OPTIONS.ID`, one or several) — template,
 * calls per number, Start — then the campaign's progress by number status, and Close.
 */
const SHOWN_TITLES = 10;

boot<PlacementWidgetConfig>(async ({ cfg, api, $b24, root }: PageContext<PlacementWidgetConfig>) => {
  const entity = cfg.entity;
  const ids = cfg.ids;
  const close = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => closePortalWindow($b24) }, t('placements.common.close'));
  const heading = h('h1', null, t('placements.menu.title'));
  if (ids.length === 0) {
    fill(root, heading, h('p', { class: 'notice notice-warn', role: 'alert' }, t('placements.menu.none_selected')), h('div', { class: 'actions' }, close));
    return;
  }

  const templates = (await api.get<{ templates: TemplateItem[] }>('templates')).templates;
  const selection = h('div', { class: 'selection' }, h('p', null, h('strong', null, t(`placements.menu.selected_${entity}`, { n: count(ids.length) }))));
  const status = statusLine('status');
  const errorBox = h('div', { id: 'call-error' });
  const progress = progressView();
  const after = h('div', { class: 'after' });

  if (templates.length === 0) {
    fill(root, heading, selection, h('p', { class: 'notice notice-warn' }, t('placements.common.no_templates')), h('div', { class: 'actions' }, close));
    return;
  }

  const { field, select } = templateField(templates);
  const attempts = maxAttemptsField();
  const startButton = h('button', { id: 'call', type: 'submit', class: 'btn btn-primary' }, t('placements.menu.start'));
  const fieldset = h('fieldset', { class: 'plain' }, field, attempts.field);
  const form = h(
    'form',
    {
      id: 'call-form',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void start();
      },
    },
    fieldset,
    h('div', { class: 'actions' }, startButton, close),
  );

  async function start(): Promise<void> {
    const maxAttempts = attempts.checked(status);
    if (maxAttempts === false) return;
    fieldset.disabled = true;
    startButton.disabled = true;
    startButton.textContent = t('placements.menu.starting');
    fill(errorBox);
    status.say('');
    try {
      const body: Record<string, unknown> = { templateId: select.value, entity, ids };
      if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
      const started = await api.post<StartedAnswer>('calls', body);
      rememberTemplate(select.value);
      status.say(t('placements.menu.started', { name: started.name }), 'ok');
      startButton.hidden = true;
      progress.update({ id: started.campaignId, name: started.name, status: 'running', statusReason: null, numbers: {}, intake: null });
      const refused = started.refused.length
        ? h('p', { id: 'refused', class: 'notice notice-warn', role: 'status' }, t('placements.menu.refused', { n: count(started.refused.length) }))
        : null;
      fill(after, refused, progress.el, h('p', { class: 'muted small' }, t('placements.menu.background')));
      follow(started.campaignId);
    } catch (e) {
      fieldset.disabled = false;
      startButton.disabled = false;
      status.say(errorMessage(e), 'error');
      fill(errorBox, errorNotice(e));
    } finally {
      startButton.textContent = t('placements.menu.start');
    }
  }

  function follow(campaignId: string): void {
    poll({
      tick: async () => {
        const p = await api.get<CampaignProgress>(`campaigns/${campaignId}`);
        progress.update(p);
        const done = isSettled(p);
        if (done) status.say(t(totals(p).callback > 0 ? 'placements.progress.redial_later' : 'placements.menu.finished'), 'ok');
        return done;
      },
      onStop: (why, error) => {
        if (why === 'errors') fill(errorBox, errorNotice(error, () => follow(campaignId)));
        else if (why === 'gave_up') status.say(t('placements.progress.gave_up'));
      },
    });
  }

  fill(root, heading, selection, form, status, errorBox, after);
  select.focus();

  // The rows' titles, from the portal with the user's own rights; the dialog works without them.
  try {
    const shown = ids.slice(0, SHOWN_TITLES);
    const method = entity === 'deal' ? 'crm.deal.list' : 'crm.lead.list';
    const rows = (await portalCall<{ ID: string; TITLE?: string; NAME?: string; LAST_NAME?: string }[]>($b24, method, { filter: { '@ID': shown }, select: ['ID', 'TITLE', 'NAME', 'LAST_NAME'] })).result;
    const names = shown
      .map((x) => rows.find((r) => Number(r.ID) === x))
      .filter((r): r is NonNullable<typeof r> => Boolean(r))
      .map((r) => r.TITLE || [r.NAME, r.LAST_NAME].filter(Boolean).join(' ') || `#${r.ID}`);
    if (names.length) {
      selection.appendChild(h('ul', { class: 'titles' }, names.map((n) => h('li', null, n)), ids.length > shown.length ? h('li', { class: 'muted' }, '…') : null));
    }
  } catch {
    // titles are a courtesy
  }
});
