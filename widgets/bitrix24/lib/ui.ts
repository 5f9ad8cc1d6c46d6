/// <reference lib="dom" />
import type { CampaignProgress, TemplateItem } from '../../../src/http/bitrix24/pages/widgetConfig.js';
import { ApiError } from './api.js';
import { fill, h, newId } from './dom.js';
import { count } from './format.js';
import { NotInPortalError } from './frame.js';
import { has, t } from './i18n.js';

/** Building blocks the three pages share: error and status notices, the template choice, progress. */

export function errorMessage(e: unknown): string {
  if (e instanceof NotInPortalError) return t('placements.common.not_in_portal');
  if (e instanceof ApiError) return e.message;
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ERR_NETWORK' || code === 'ECONNABORTED') return t('placements.common.network');
  const text = e instanceof Error ? e.message : String(e);
  return t('placements.common.portal_rest', { message: text });
}

/** An error a person can read: what happened, the fields concerned, the request id, and a way to retry. */
export function errorNotice(e: unknown, retry?: () => void): HTMLElement {
  const details = e instanceof ApiError ? e.details : [];
  const requestId = e instanceof ApiError ? e.requestId : undefined;
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('p', { class: 'notice-title' }, t('placements.common.error_title')),
    h('p', null, errorMessage(e)),
    details.length ? h('ul', { class: 'details' }, details.map((d) => h('li', null, d.message))) : null,
    requestId ? h('p', { class: 'muted small' }, t('placements.common.request_id', { id: requestId })) : null,
    retry ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: retry }, t('placements.common.retry')) : null,
  );
}

/** A line that screen readers announce when it changes (`role=status`). */
export function statusLine(id: string): HTMLElement & { say(text: string, tone?: 'ok' | 'error' | 'muted'): void } {
  const el = h('p', { id, class: 'status muted', role: 'status', 'aria-live': 'polite' });
  return Object.assign(el, {
    say(text: string, tone: 'ok' | 'error' | 'muted' = 'muted') {
      el.textContent = text;
      el.className = `status ${tone}`;
    },
  });
}

const LAST_TEMPLATE = 'dozvon.b24.template';

function remembered(): string | null {
  try {
    return window.localStorage.getItem(LAST_TEMPLATE);
  } catch {
    return null;
  }
}

export function rememberTemplate(id: string): void {
  try {
    window.localStorage.setItem(LAST_TEMPLATE, id);
  } catch {
    // storage may be off in a third-party frame; the choice is just not remembered
  }
}

/** `<label>Template <select id="template">` with the templates, the last one chosen preselected. */
export function templateField(templates: TemplateItem[], id = 'template'): { field: HTMLElement; select: HTMLSelectElement } {
  const last = remembered();
  const select = h(
    'select',
    { id, name: 'templateId', required: true },
    templates.map((x) => h('option', { value: x.id, selected: x.id === last }, x.name)),
  );
  const field = h('div', { class: 'field' }, h('label', { for: id }, t('placements.common.template')), select);
  return { field, select };
}

/** Optional "Calls per number" (1–99), empty = the template's rules. */
export interface MaxAttemptsField {
  field: HTMLElement;
  input: HTMLInputElement;
  /** The number typed, undefined when empty, NaN when not a whole number. */
  value(): number | undefined;
  /**
   * Checks the value before a start: a problem is announced in `status` and the field focused.
   * Returns false when the value is not 1–99, otherwise what to send (undefined = the template's rules).
   */
  checked(status: { say(text: string, tone?: 'ok' | 'error' | 'muted'): void }): number | undefined | false;
}

export function maxAttemptsField(): MaxAttemptsField {
  const id = newId('max-attempts');
  const hint = `${id}-hint`;
  const input = h('input', {
    id,
    name: 'maxAttempts',
    type: 'number',
    inputmode: 'numeric',
    min: 1,
    max: 99,
    step: 1,
    placeholder: t('placements.common.max_attempts_placeholder'),
    'aria-describedby': hint,
  });
  const field = h(
    'div',
    { class: 'field field-narrow' },
    h('label', { for: id }, t('placements.common.max_attempts')),
    input,
    h('p', { id: hint, class: 'hint' }, t('placements.common.max_attempts_hint')),
  );
  return {
    field,
    input,
    value,
    checked(status) {
      const n = value();
      if (n !== undefined && !(n >= 1 && n <= 99)) {
        input.setAttribute('aria-invalid', 'true');
        status.say(t('placements.common.max_attempts_hint'), 'error');
        input.focus();
        return false;
      }
      input.removeAttribute('aria-invalid');
      return n;
    },
  };

  function value(): number | undefined {
    const v = input.value.trim();
    if (!v) return undefined;
    const n = Number(v);
    return Number.isInteger(n) ? n : Number.NaN;
  }
}

// ---------------------------------------------------------------- campaign progress

const NUMBER_STATUSES = ['new', 'dialing', 'callback', 'answered', 'not_answered', 'failed', 'done', 'cancelled'] as const;
const OPEN = new Set(['new', 'dialing']);
const FINISHED = new Set(['answered', 'not_answered', 'failed', 'done', 'cancelled']);

export function totals(p: Pick<CampaignProgress, 'numbers'>): { total: number; done: number; open: number; callback: number } {
  let total = 0;
  let done = 0;
  let open = 0;
  let callback = 0;
  for (const [status, n] of Object.entries(p.numbers)) {
    total += n;
    if (FINISHED.has(status)) done += n;
    if (OPEN.has(status)) open += n;
    if (status === 'callback') callback += n;
  }
  return { total, done, open, callback };
}

/** Nothing more will happen soon: the campaign ended, or every number is done or waits for a later redial. */
export function isSettled(p: CampaignProgress): boolean {
  if (p.status === 'completed') return true;
  if (p.intake?.status === 'failed') return true;
  if (p.status === 'paused') return true;
  return p.intake?.status === 'done' && totals(p).open === 0;
}

export function campaignStatusText(status: string, reason: string | null): string {
  const name = has(`placements.progress.status.${status}`) ? t(`placements.progress.status.${status}`) : status;
  if (!reason) return name;
  const why = has(`email.reason.${reason}`) ? t(`email.reason.${reason}`) : reason;
  return t('placements.progress.status_reason', { status: name, reason: why });
}

/** A campaign's progress: name, status, what was read from the portal, numbers by status, a bar. */
export function progressView(): { el: HTMLElement; update(p: CampaignProgress): void } {
  const el = h('section', { class: 'progress', 'aria-label': t('placements.progress.label') });
  return {
    el,
    update(p) {
      const s = totals(p);
      const intake = p.intake;
      fill(
        el,
        h('p', { class: 'progress-head' }, h('strong', null, p.name), ' ', h('span', { class: `badge tone-${p.status === 'completed' ? 'good' : p.status === 'paused' ? 'warn' : 'progress'}` }, campaignStatusText(p.status, p.statusReason))),
        intake
          ? h(
              'p',
              { class: 'muted' },
              intake.status === 'failed'
                ? t('placements.progress.intake_failed', { error: intake.error ?? '' })
                : intake.status === 'running'
                  ? t('placements.progress.reading', { fetched: count(intake.fetched), added: count(intake.added) })
                  : t('placements.progress.read_done', { added: count(s.total) }),
            )
          : null,
        intake && intake.skipped > 0 ? h('p', { class: 'muted' }, t('placements.progress.skipped', { n: count(intake.skipped) })) : null,
        s.total > 0
          ? [
              h('progress', { max: s.total, value: s.done, 'aria-label': t('placements.progress.bar', { done: count(s.done), total: count(s.total) }) }),
              h('p', { class: 'small' }, t('placements.progress.bar', { done: count(s.done), total: count(s.total) })),
              h(
                'dl',
                { class: 'counts' },
                NUMBER_STATUSES.filter((k) => (p.numbers[k] ?? 0) > 0).map((k) =>
                  h('div', { class: 'count' }, h('dt', null, t(`placements.progress.numbers.${k}`)), h('dd', null, count(p.numbers[k] ?? 0))),
                ),
              ),
            ]
          : null,
      );
    },
  };
}
