/// <reference lib="dom" />
import type { CampaignProgress, MainWidgetConfig, MeAnswer, RecentCampaign, StartedAnswer, TemplateItem } from '../../src/http/bitrix24/pages/widgetConfig.js';
import type { Api } from './lib/api.js';
import { fill, h, newId } from './lib/dom.js';
import { count, dateTime } from './lib/format.js';
import { portalCall, type B24Frame } from './lib/frame.js';
import { t } from './lib/i18n.js';
import { boot, type PageContext } from './lib/page.js';
import { poll } from './lib/poll.js';
import { campaignStatusText, errorMessage, errorNotice, isSettled, maxAttemptsField, progressView, rememberTemplate, statusLine, templateField, totals } from './lib/ui.js';

/**
 * The app's main page (handler path, PLACEMENT=DEFAULT) for administrators — and what a manager
 * sees opening the app: the connection (and why it needs re-authorisation), the templates that are
 * robots, a bulk call by filter (deals of a pipeline and stage, or leads of a status; the lists
 * come from the portal with the user's rights) with the campaign's progress, and recent campaigns.
 */
boot<MainWidgetConfig>(async ({ cfg, api, $b24, root, retry }: PageContext<MainWidgetConfig>) => {
  const [me, templates] = await Promise.allSettled([api.get<MeAnswer>('me'), api.get<{ templates: TemplateItem[] }>('templates').then((r) => r.templates)]);
  const recent: RecentCampaign[] = [...cfg.campaigns];
  const campaignsBox = h('div', { id: 'campaigns' });

  // ---------------------------------------------------------------- connection
  const portal = me.status === 'fulfilled' ? me.value.portal : cfg.portal;
  const needsReauth = portal.status === 'needs_reauth';
  const connection = h(
    'section',
    { class: 'section', 'aria-labelledby': 'conn-title' },
    h('h2', { id: 'conn-title', class: 'visually-hidden' }, t('placements.main.status_title')),
    h(
      'p',
      { id: 'connection', class: `notice ${needsReauth ? 'notice-error' : 'notice-ok'}`, role: needsReauth ? 'alert' : null },
      needsReauth
        ? t('bitrix24.app.needs_reauth', { reason: t(`bitrix24.status.${portal.statusReason ?? 'refresh_rejected'}`) })
        : t(cfg.reauthorised ? 'bitrix24.app.reauthorised' : 'bitrix24.app.connected', { domain: portal.domain }),
    ),
    me.status === 'fulfilled' && me.value.name
      ? h('p', { class: 'muted' }, t(me.value.admin ? 'placements.main.signed_in_admin' : 'placements.main.signed_in', { name: me.value.name }))
      : null,
    me.status === 'rejected' ? errorNotice(me.reason, retry) : null,
  );

  // ---------------------------------------------------------------- templates
  const templatesBox = h('div', { id: 'templates' });
  const docs = h(
    'p',
    { class: 'muted small' },
    t('placements.main.templates_managed'),
    ' ',
    h('a', { href: cfg.links.openapi, target: '_blank', rel: 'noopener' }, t('placements.main.docs_link')),
    ' · ',
    h('a', { href: cfg.links.server, target: '_blank', rel: 'noopener' }, t('placements.main.server_link')),
  );
  if (templates.status === 'rejected') fill(templatesBox, errorNotice(templates.reason, retry));
  else if (templates.value.length === 0) fill(templatesBox, h('p', { class: 'notice notice-warn' }, t('placements.common.no_templates')));
  else {
    fill(
      templatesBox,
      h(
        'ul',
        { class: 'templates' },
        templates.value.map((x) =>
          h(
            'li',
            null,
            h('strong', null, x.name),
            x.description ? h('span', { class: 'muted' }, ` — ${x.description}`) : null,
            h('br'),
            h('span', { class: 'small muted' }, t('bitrix24.robot.name', { template: x.name })),
          ),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------- bulk call
  const bulkBox = h('div', { id: 'bulk' });
  const admin = me.status === 'fulfilled' ? me.value.admin : Boolean($b24.auth.isAdmin);
  if (!admin) fill(bulkBox, h('p', { class: 'muted' }, t('placements.main.bulk_admin_only')));
  else if (templates.status === 'fulfilled' && templates.value.length > 0) {
    fill(bulkBox, bulkForm(api, $b24, templates.value, (c) => {
      const i = recent.findIndex((r) => r.id === c.id);
      if (i >= 0) recent[i] = c;
      else recent.unshift(c);
      renderCampaigns();
    }));
  } else fill(bulkBox, h('p', { class: 'muted' }, t('placements.common.no_templates')));

  // ---------------------------------------------------------------- recent campaigns
  function renderCampaigns(): void {
    if (recent.length === 0) {
      fill(campaignsBox, h('p', { class: 'muted' }, t('placements.main.no_campaigns')));
      return;
    }
    fill(
      campaignsBox,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            null,
            h('tr', null, ...['campaign', 'state', 'numbers', 'created'].map((k) => h('th', { scope: 'col' }, t(`placements.main.${k}`)))),
          ),
          h(
            'tbody',
            null,
            recent.slice(0, 10).map((c) => {
              const s = totals(c);
              return h(
                'tr',
                null,
                h('td', null, c.name),
                h('td', null, campaignStatusText(c.status, c.statusReason)),
                h('td', null, s.total ? `${count(s.done)} / ${count(s.total)}` : '—'),
                h('td', null, h('time', { datetime: c.createdAt }, dateTime(c.createdAt))),
              );
            }),
          ),
        ),
      ),
    );
  }
  renderCampaigns();

  fill(
    root,
    h('h1', null, t('placements.main.title')),
    connection,
    h('section', { class: 'section', 'aria-labelledby': 'tpl-title' }, h('h2', { id: 'tpl-title' }, t('placements.main.templates_title')), h('p', { class: 'muted small' }, t('placements.main.templates_hint')), templatesBox, docs),
    h('section', { class: 'section', 'aria-labelledby': 'bulk-title' }, h('h2', { id: 'bulk-title' }, t('placements.main.bulk_title')), h('p', { class: 'muted small' }, t('placements.main.bulk_hint')), bulkBox),
    h('section', { class: 'section', 'aria-labelledby': 'recent-title' }, h('h2', { id: 'recent-title' }, t('placements.main.campaigns_title')), campaignsBox),
  );
});

interface Option {
  value: string;
  label: string;
}

function selectField(id: string, label: string, options: Option[], hint?: string): { field: HTMLElement; select: HTMLSelectElement; set(options: Option[]): void } {
  const select = h('select', { id, name: id });
  const set = (list: Option[]): void => fill(select, list.map((o) => h('option', { value: o.value }, o.label)));
  set(options);
  const field = h('div', { class: 'field' }, h('label', { for: id }, label), select, hint ? h('p', { class: 'hint' }, hint) : null);
  return { field, select, set };
}

/** "Call every deal of this pipeline and stage / every lead of this status". */
function bulkForm(api: Api, $b24: B24Frame, templates: TemplateItem[], onCampaign: (c: RecentCampaign) => void): HTMLElement {
  const tpl = templateField(templates, 'bulk-template');
  const entityName = newId('entity');
  let entity: 'deal' | 'lead' = 'deal';
  const radio = (value: 'deal' | 'lead', label: string): HTMLElement => {
    const id = `${entityName}-${value}`;
    return h(
      'div',
      { class: 'radio' },
      h('input', { type: 'radio', id, name: entityName, value, checked: value === entity, onchange: () => { entity = value; void switchEntity(); } }),
      h('label', { for: id }, label),
    );
  };
  const entityField = h('fieldset', { class: 'field radios' }, h('legend', null, t('placements.main.entity')), radio('deal', t('placements.main.entity_deal')), radio('lead', t('placements.main.entity_lead')));
  const pipeline = selectField('pipeline', t('placements.main.pipeline'), []);
  const stage = selectField('stage', t('placements.main.stage'), []);
  const leadStatus = selectField('lead-status', t('placements.main.lead_status'), []);
  const codeId = newId('stage-code');
  const code = h('input', { id: codeId, name: 'stageCode', type: 'text', maxlength: 50, autocomplete: 'off', spellcheck: 'false' });
  const codeField = h('div', { class: 'field', hidden: true }, h('label', { for: codeId }, t('placements.main.stage_code')), code, h('p', { class: 'hint' }, t('placements.main.stage_code_hint')));
  const listsError = h('div');
  const attempts = maxAttemptsField();
  const matching = h('p', { id: 'bulk-count', class: 'muted', 'aria-live': 'polite' });
  const startButton = h('button', { id: 'bulk-start', type: 'submit', class: 'btn btn-primary' }, t('placements.main.start'));
  const status = statusLine('bulk-status');
  const errorBox = h('div');
  const progress = progressView();
  const progressBox = h('div');
  const fieldset = h('fieldset', { class: 'plain' }, tpl.field, entityField, pipeline.field, stage.field, leadStatus.field, codeField, attempts.field);
  let listsFailed = false;
  let countSeq = 0;
  let countTimer: number | undefined;

  const stagesOf = async (categoryId: string): Promise<Option[]> => {
    const entityId = categoryId === '0' ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
    const rows = (await portalCall<{ STATUS_ID: string; NAME: string }[]>($b24, 'crm.status.list', { filter: { ENTITY_ID: entityId }, order: { SORT: 'ASC' } })).result;
    return [{ value: '', label: t('placements.main.any_stage') }, ...rows.map((r) => ({ value: r.STATUS_ID, label: r.NAME }))];
  };

  const failLists = (e: unknown): void => {
    listsFailed = true;
    fill(listsError, h('p', { class: 'notice notice-warn', role: 'alert' }, t('placements.main.lists_failed', { message: errorMessage(e) })));
    pipeline.field.hidden = true;
    stage.field.hidden = true;
    leadStatus.field.hidden = true;
    codeField.hidden = false;
  };

  async function switchEntity(): Promise<void> {
    if (listsFailed) return recount();
    pipeline.field.hidden = entity !== 'deal';
    stage.field.hidden = entity !== 'deal';
    leadStatus.field.hidden = entity !== 'lead';
    try {
      if (entity === 'deal' && pipeline.select.options.length === 0) {
        const r = await portalCall<{ categories: { id: number; name: string }[] }>($b24, 'crm.category.list', { entityTypeId: 2 });
        pipeline.set(r.result.categories.map((c) => ({ value: String(c.id), label: c.name })));
        stage.set(await stagesOf(pipeline.select.value || '0'));
      }
      if (entity === 'lead' && leadStatus.select.options.length === 0) {
        const rows = (await portalCall<{ STATUS_ID: string; NAME: string }[]>($b24, 'crm.status.list', { filter: { ENTITY_ID: 'STATUS' }, order: { SORT: 'ASC' } })).result;
        leadStatus.set([{ value: '', label: t('placements.main.any_status') }, ...rows.map((r) => ({ value: r.STATUS_ID, label: r.NAME }))]);
      }
    } catch (e) {
      failLists(e);
    }
    recount();
  }

  pipeline.select.addEventListener('change', () => {
    void stagesOf(pipeline.select.value)
      .then((options) => stage.set(options))
      .catch(failLists)
      .then(recount);
  });
  stage.select.addEventListener('change', recount);
  leadStatus.select.addEventListener('change', recount);
  code.addEventListener('input', recount);

  function filterOf(): { filter: Record<string, unknown>; body: Record<string, unknown> } {
    if (listsFailed) {
      const c = code.value.trim();
      if (entity === 'deal') return { filter: c ? { STAGE_ID: c } : {}, body: c ? { stageId: c } : {} };
      return { filter: c ? { STATUS_ID: c } : {}, body: c ? { statusId: c } : {} };
    }
    if (entity === 'deal') {
      const categoryId = Number(pipeline.select.value || '0');
      const stageId = stage.select.value;
      return { filter: { CATEGORY_ID: categoryId, ...(stageId ? { STAGE_ID: stageId } : {}) }, body: { categoryId, ...(stageId ? { stageId } : {}) } };
    }
    const statusId = leadStatus.select.value;
    return { filter: statusId ? { STATUS_ID: statusId } : {}, body: statusId ? { statusId } : {} };
  }

  /** How many rows match, asked from the portal (a courtesy: the campaign does not depend on it). */
  function recount(): void {
    window.clearTimeout(countTimer);
    const seq = ++countSeq;
    matching.textContent = '';
    startButton.disabled = false;
    countTimer = window.setTimeout(() => {
      const method = entity === 'deal' ? 'crm.deal.list' : 'crm.lead.list';
      portalCall<unknown[]>($b24, method, { filter: filterOf().filter, select: ['ID'] })
        .then(({ total }) => {
          if (seq !== countSeq) return;
          matching.textContent = t(`placements.main.matching_${entity}`, { n: count(total) });
          startButton.disabled = total === 0;
        })
        .catch(() => undefined);
    }, 250);
  }

  async function start(): Promise<void> {
    const maxAttempts = attempts.checked(status);
    if (maxAttempts === false) return;
    startButton.disabled = true;
    startButton.textContent = t('placements.main.starting');
    fill(errorBox);
    status.say('');
    try {
      const body: Record<string, unknown> = { templateId: tpl.select.value, entity, ...filterOf().body };
      if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
      const started = await api.post<StartedAnswer>('calls/filter', body);
      rememberTemplate(tpl.select.value);
      status.say(t('placements.main.started', { name: started.name }), 'ok');
      const first: CampaignProgress = { id: started.campaignId, name: started.name, status: 'running', statusReason: null, numbers: {}, intake: null };
      progress.update(first);
      fill(progressBox, progress.el);
      const createdAt = new Date().toISOString();
      onCampaign({ id: first.id, name: first.name, status: first.status, statusReason: null, numbers: {}, createdAt });
      poll({
        tick: async () => {
          const p = await api.get<CampaignProgress>(`campaigns/${started.campaignId}`);
          progress.update(p);
          onCampaign({ id: p.id, name: p.name, status: p.status, statusReason: p.statusReason, numbers: p.numbers, createdAt });
          return isSettled(p);
        },
        onStop: (why, error) => {
          if (why === 'errors') fill(errorBox, errorNotice(error));
          else if (why === 'gave_up') status.say(t('placements.progress.gave_up'));
        },
      });
    } catch (e) {
      status.say(errorMessage(e), 'error');
      fill(errorBox, errorNotice(e));
    } finally {
      startButton.disabled = false;
      startButton.textContent = t('placements.main.start');
    }
  }

  void switchEntity();
  return h(
    'form',
    {
      id: 'bulk-form',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void start();
      },
    },
    listsError,
    fieldset,
    matching,
    h('div', { class: 'actions' }, startButton),
    status,
    errorBox,
    progressBox,
  );
}
