import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../console/src/api/types';
import CallDetails from '../../console/src/components/CallDetails.vue';
import type { HistoryEntry } from '../../src/crm/shared/history';
import { browserTexts } from '../../src/http/bitrix24/pages/widgetConfig';
import { widgetFiles } from '../../widgets/amocrm/build/buildWidget';
import { callCard } from '../../widgets/bitrix24/lib/calls';
import { initI18n as initB24Texts } from '../../widgets/bitrix24/lib/i18n';
import { callView, formatDuration, type CallTexts } from '../../widgets/shared/callView';
import { mountWithTexts, settle } from './support';

/**
 * One call, drawn by the three hosts — the console's call details (Vue), the Bitrix24 deal tab's
 * card (plain TS in our iframe) and the amoCRM lead panel (the built widget script, in amoCRM's
 * page) — reads the same: the same outcome words, the same facts with the same labels, the same
 * answers and the same recording, because all three lay out widgets/shared/callView.ts.
 */

const ENTRY: HistoryEntry = {
  attemptId: '11111111-1111-4111-8111-111111111111',
  campaignId: '22222222-2222-4222-8222-222222222222',
  templateId: '33333333-3333-4333-8333-333333333333',
  templateName: 'Qualify a lead',
  phone: '+79000000004',
  attemptNo: 2,
  status: 'completed',
  outcome: 'human',
  outcomeText: 'Human answered (server words)',
  result: 'interested',
  tags: ['hot', 'callback'],
  gender: 'female',
  answers: [
    { question: 'Would you like to hear more about it?', text: 'yes, tell me', branch: 'yes' },
    { question: 'When shall we call back?', text: '', branch: 'noInput' },
  ],
  durationSec: 95,
  talkSec: 75,
  recordingUrl: 'http://127.0.0.1:9/recordings/abc.mp3?sig=x',
  recordingPending: false,
  startedAt: '2026-03-02T09:15:00.000Z',
  endedAt: '2026-03-02T09:16:35.000Z',
};

/** The same call as the console's API gives it. */
function attemptOf(e: HistoryEntry): Attempt {
  return {
    id: e.attemptId,
    kind: 'campaign',
    campaignId: e.campaignId,
    numberId: null,
    attemptNo: e.attemptNo,
    phone: e.phone,
    templateId: e.templateId,
    variables: {},
    status: e.status as Attempt['status'],
    outcome: e.outcome,
    amdVerdict: 'human',
    gender: e.gender,
    result: e.result,
    tags: e.tags,
    answers: Object.fromEntries(e.answers.map((a, i) => [`q${i}`, a])),
    steps: [],
    transfer: null,
    callerId: null,
    sipCode: null,
    error: null,
    ineffective: false,
    durationSec: e.durationSec,
    talkSec: e.talkSec,
    recordingId: null,
    recordingUrl: e.recordingUrl,
    createdAt: e.startedAt,
    dialedAt: e.startedAt,
    answeredAt: null,
    endedAt: e.endedAt,
  };
}

interface Drawn {
  badge: string;
  facts: [string, string][];
  meta?: string;
  answers?: [string, string][];
  recording: string | null;
  when?: string;
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').trim();
const pairs = (dl: Element | null): [string, string][] => [...(dl?.querySelectorAll('dt') ?? [])].map((dt) => [text(dt), text(dt.nextElementSibling)]);
const rows = (table: Element | null): [string, string][] => [...(table?.querySelectorAll('tbody tr, tr') ?? [])].filter((tr) => tr.querySelector('td')).map((tr) => [text(tr.querySelector('th')), text(tr.querySelector('td'))]);

afterEach(() => {
  document.body.innerHTML = '';
});

// ---------------------------------------------------------------- the three hosts

async function inConsole(e: HistoryEntry): Promise<Drawn> {
  const w = await mountWithTexts(CallDetails, { props: { attempt: attemptOf(e), templateName: e.templateName } });
  await settle();
  const root = w.element as HTMLElement;
  const drawn: Drawn = {
    badge: text(root.querySelector('[data-testid="call-details"] > div:first-child > *:first-child')),
    facts: pairs(root.querySelector('[data-testid="call-facts"]')),
    recording: root.querySelector('audio')?.getAttribute('aria-label') ?? null,
  };
  w.unmount();
  return drawn;
}

function inBitrix24Tab(e: HistoryEntry, lang: 'en' | 'ru'): Drawn {
  initB24Texts({ lang, texts: browserTexts(lang) });
  const card = callCard(e);
  return {
    badge: text(card.querySelector('.badge')),
    when: text(card.querySelector('time')),
    meta: text(card.querySelector('.call-meta')),
    facts: pairs(card.querySelector('dl')),
    answers: rows(card.querySelector('table')),
    recording: card.querySelector('audio')?.getAttribute('aria-label') ?? null,
  };
}

type Factory = () => new () => AmoWidget;
interface AmoWidget {
  i18n?: (key: string) => unknown;
  system?: () => { area: string };
  render_template?: (o: { render: string }) => void;
  $authorizedAjax?: (s: { url: string }) => { then(ok: (data: unknown) => void, fail: (xhr: unknown) => void): void };
  callbacks: { render(): boolean };
}

/** The built widget script in an emulated lead card (amoCRM's `define`, `render_template`, authorised requests). */
async function inAmoPanel(e: HistoryEntry, lang: 'en' | 'ru'): Promise<Drawn> {
  const files = widgetFiles({ url: 'http://127.0.0.1:9', supportLink: 'http://127.0.0.1:9', supportEmail: 'ops@example.com', version: '0.0.0' });
  const decode = (name: string) => new TextDecoder().decode(files[name]);
  const i18n = JSON.parse(decode(`i18n/${lang}.json`)) as Record<string, unknown>;
  let factory: Factory | undefined;
  new Function('define', decode('script.js'))((_deps: unknown, f: Factory) => {
    factory = f;
  });
  const Widget = factory!();
  const widget = new Widget();
  const answers: Record<string, unknown> = {
    '/amocrm/widget/status': { connected: true, status: 'active', user: { isAdmin: false } },
    '/amocrm/widget/templates': { templates: [{ id: e.templateId, name: e.templateName }] },
    '/amocrm/widget/history': { lead_id: 7, calls: [e] },
  };
  Object.assign(widget, {
    i18n: (key: string) => i18n[key],
    system: () => ({ area: 'lcard' }),
    render_template: ({ render }: { render: string }) => document.body.insertAdjacentHTML('beforeend', render),
    $authorizedAjax: (s: { url: string }) => ({
      then: (ok: (data: unknown) => void) => ok(answers[new URL(s.url).pathname]),
    }),
  });
  (window as unknown as { APP: unknown }).APP = { data: { current_card: { id: 7 } } };
  widget.callbacks.render();
  let card: Element | null = null;
  for (let i = 0; i < 50 && !card; i++) {
    await settle();
    card = document.querySelector('#dozvon-card-7 article.dozvon-call');
  }
  expect(card, 'the amoCRM panel drew the call').not.toBeNull();
  return {
    badge: text(card!.querySelector('.dozvon-outcome')),
    when: text(card!.querySelector('time')),
    meta: text(card!.querySelector('.dozvon-call__head + div')),
    facts: pairs(card!.querySelector('dl')),
    answers: rows(card!.querySelector('table')),
    recording: card!.querySelector('audio')?.getAttribute('aria-label') ?? null,
  };
}

// ---------------------------------------------------------------- the same call, three places

describe('a call reads the same in the console, the Bitrix24 tab and the amoCRM panel', () => {
  it('the same outcome, facts, answers and recording (English)', async () => {
    const b24 = inBitrix24Tab(ENTRY, 'en');
    const amo = await inAmoPanel(ENTRY, 'en');
    const console = await inConsole(ENTRY);

    expect(b24.badge).toBe('Human answered');
    expect(amo.badge).toBe(b24.badge);
    expect(console.badge).toBe(b24.badge);

    expect(b24.facts).toEqual([
      ['Result', 'interested'],
      ['Tags', 'hotcallback'], // chips, one per tag
      ['Gender', 'Female'],
    ]);
    expect(amo.facts).toEqual([
      ['Result', 'interested'],
      ['Tags', 'hot, callback'],
      ['Gender', 'Female'],
    ]);
    // The console's full view has every fact; the compact ones are among them, word for word.
    for (const [label, value] of amo.facts) expect(console.facts).toContainEqual([label, value]);
    expect(console.facts.map(([label]) => label)).toEqual(['Phone', 'Started', 'Duration', 'Talk', 'Result', 'Tags', 'Gender', 'Human / machine']);
    // Durations in the page's language as Intl writes them ("1 min 15 sec(s)"), the same everywhere.
    const talk = formatDuration(75, 'en');
    expect(talk).toMatch(/^1 min 15 sec/);
    expect(console.facts).toContainEqual(['Talk', talk]);

    expect(b24.meta).toBe(`+79000000004 · Qualify a lead · Call 2 · Talk ${talk}`);
    expect(amo.meta).toBe(b24.meta);
    expect(amo.when).toBe(b24.when);
    expect(b24.answers).toEqual([
      ['Would you like to hear more about it?', 'yes, tell me'],
      ['When shall we call back?', '—'],
    ]);
    expect(amo.answers).toEqual(b24.answers);

    expect(b24.recording).toBe(`Recording of the call to +79000000004, ${b24.when}`);
    expect(amo.recording).toBe(b24.recording);
    expect(console.recording).toBe(b24.recording);
  });

  it('the same in Russian in both CRMs', async () => {
    const b24 = inBitrix24Tab(ENTRY, 'ru');
    const amo = await inAmoPanel(ENTRY, 'ru');
    expect(b24.badge).toBe('Ответил человек');
    expect(b24.facts.map(([label]) => label)).toEqual(['Результат', 'Теги', 'Пол']);
    expect(b24.facts[2]).toEqual(['Пол', 'Женский']);
    expect(b24.meta).toMatch(/^\+79000000004 · Qualify a lead · Звонок 2 · Разговор 1 мин\.? 15 с/);
    for (const k of ['badge', 'meta', 'when', 'answers', 'recording'] as const) expect(amo[k], k).toEqual(b24[k]);
    expect(amo.facts.map(([label]) => label)).toEqual(b24.facts.map(([label]) => label));
  });

  it('while the MP3 is being saved none shows a player; all say so in the same words', async () => {
    const saving = { ...ENTRY, recordingUrl: null, recordingPending: true };
    const b24 = callCard((initB24Texts({ lang: 'en', texts: browserTexts('en') }), saving));
    await inAmoPanel(saving, 'en');
    const amo = document.querySelector('#dozvon-card-7 article.dozvon-call')!;
    const w = await mountWithTexts(CallDetails, { props: { attempt: { ...attemptOf(saving), recordingUrl: null } } });
    for (const el of [b24, amo, w.element as HTMLElement]) {
      expect(el.querySelector('audio')).toBeNull();
      expect(el.textContent).toContain('The recording is being saved…');
    }
    w.unmount();
  });

  it('a call still going on shows its state, in the progress tone, in every host', async () => {
    const ringing = { ...ENTRY, status: 'ringing', outcome: null, outcomeText: null, recordingUrl: null };
    const b24 = inBitrix24Tab(ringing, 'en');
    const amo = await inAmoPanel(ringing, 'en');
    expect(b24.badge).toBe('Ringing');
    expect(amo.badge).toBe('Ringing');
    expect(document.querySelector('#dozvon-card-7 .dozvon-outcome')?.className).toContain('dozvon-outcome--progress');
  });
});

describe('the call view', () => {
  const en: CallTexts = { t: (k, p) => `${k}${p ? JSON.stringify(p) : ''}`, has: (k) => !k.endsWith('mystery'), lang: 'en' };

  it('colours outcomes by what they mean and words unknown ones with the server’s text', () => {
    const tone = (outcome: string) => callView({ ...ENTRY, outcome }, en).tone;
    expect([tone('human'), tone('busy'), tone('short'), tone('machine'), tone('no_answer'), tone('failed'), tone('invalid_number'), tone('cancelled')]).toEqual([
      'good',
      'warn',
      'warn',
      'neutral',
      'neutral',
      'bad',
      'bad',
      'neutral',
    ]);
    expect(callView({ ...ENTRY, outcome: 'mystery', outcomeText: 'Something new' }, en).outcome).toBe('Something new');
    expect(callView({ ...ENTRY, outcome: 'mystery', outcomeText: null }, en).outcome).toBe('call.unknown_outcome');
  });

  it('leaves out of the compact card what the call does not have', () => {
    const v = callView({ ...ENTRY, result: null, tags: [], gender: 'unknown', talkSec: 0, answers: [{ question: '', text: '', branch: 'noInput' }] }, en);
    expect(v.facts).toEqual([]);
    expect(v.answers).toEqual([]);
    expect(v.meta).toEqual(['+79000000004', 'Qualify a lead', 'call.attempt{"n":2}']);
    // …while the full view still lists every fact.
    expect(v.details.map((f) => [f.key, f.value])).toContainEqual(['result', '—']);
  });
});
