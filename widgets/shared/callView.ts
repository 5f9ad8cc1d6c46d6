/**
 * How one call reads, wherever it is shown: its outcome in words and the tone it is drawn in, the
 * line under it (phone · template · call number · talk time), the facts (result, tags, gender —
 * and in the console's full view durations, human/machine and the error), the answers, and the
 * recording (a player, "being saved…", or none).
 *
 * One source for the three places that draw a call:
 * - the web console (`console/src/components/CallDetails.vue`, `OutcomeBadge.vue`) — Vue;
 * - the Bitrix24 deal/lead tab (`widgets/bitrix24/lib/calls.ts`) — plain TS in our own iframe;
 * - the amoCRM lead card panel (`widgets/amocrm/script.js`) — inside amoCRM's own page, where no
 *   framework or global CSS of ours may go; the widget build writes this module into the script.
 * Each host keeps its own markup and styles and only lays out what this returns, so a new fact,
 * a new outcome or a wording is changed here (and in `locales/<lng>/call.json`) once.
 *
 * Framework-neutral on purpose: no imports (the amoCRM build inlines it as ES2017), no DOM, and
 * the texts come through the host's own i18n (`CallTexts`) under the same keys (`call.*`,
 * `outcome.*`) — every host loads those areas of the locale files.
 */

/** The host's translator: i18next's `t`/`exists` in the console and the Bitrix24 pages, the widget's texts in amoCRM. */
export interface CallTexts {
  t(key: string, params?: Record<string, unknown>): string;
  has(key: string): boolean;
  /** The page's language, `ru` or `en`; dates and durations are written in it. */
  lang: string;
}

/** A call as the CRM panels receive it (`HistoryEntry` from src/crm/shared/history.ts); the console maps its attempts to it. */
export interface CallEntry {
  status: string;
  outcome: string | null;
  /** The server's words for the outcome, used when the locale files do not know the code. */
  outcomeText?: string | null;
  phone: string;
  templateName?: string | null;
  attemptNo: number;
  startedAt: string;
  durationSec?: number | null;
  talkSec: number | null;
  result: string | null;
  tags: string[];
  gender: string | null;
  answers: { question: string; text: string; branch?: string }[];
  recordingUrl: string | null;
  /** The call has a recording Dozvon is still saving: look again shortly. */
  recordingPending: boolean;
  /** Only the console has these (the full view). */
  amdVerdict?: string | null;
  error?: string | null;
  ineffective?: boolean | null;
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'progress';

export type FactKey = 'phone' | 'started' | 'duration' | 'talk' | 'result' | 'tags' | 'gender' | 'amd' | 'error';

export interface CallFact {
  key: FactKey;
  label: string;
  /** The value in words ('—' when unknown, only in the full list). */
  value: string;
  /** Separate items (tags), for hosts that draw them as chips. */
  items?: string[];
}

export type CallRecording = { state: 'ready'; url: string; label: string } | { state: 'pending'; text: string } | { state: 'none'; text: string };

export interface CallView {
  /** The call is over (it has an outcome). */
  done: boolean;
  tone: Tone;
  /** The badge: the outcome in words, or the call's state while it goes on. */
  outcome: string;
  startedAt: string;
  /** `startedAt` in the page's language. */
  when: string;
  /** phone · template · "Call 2" · "Talk 1 min 5 s" (the talk once the call was answered). */
  meta: string[];
  /** The compact card's facts: only those the call has (result, tags, gender). */
  facts: CallFact[];
  /** The full view's facts, every one, '—' where unknown (the console's call details). */
  details: CallFact[];
  /** "Ineffective call" when the engine judged it so, otherwise null. */
  ineffective: string | null;
  answers: { question: string; text: string }[];
  labels: { answers: string; question: string; answer: string; recording: string };
  recording: CallRecording;
}

const DASH = '—';

/** The colour an outcome is drawn in (always next to its name, never alone): answered good, busy/short warn, failures bad. */
export function outcomeTone(outcome: string | null): Tone {
  switch (outcome) {
    case 'human':
      return 'good';
    case 'busy':
    case 'short':
      return 'warn';
    case 'failed':
    case 'invalid_number':
      return 'bad';
    default:
      return 'neutral';
  }
}

export function callTone(c: Pick<CallEntry, 'status' | 'outcome'>): Tone {
  return c.status === 'completed' ? outcomeTone(c.outcome) : 'progress';
}

/** The badge's words: the outcome once the call is over, its state ("Ringing") while it goes on. */
export function outcomeLabel(c: Pick<CallEntry, 'status' | 'outcome'> & { outcomeText?: string | null }, x: CallTexts): string {
  if (c.status !== 'completed') return x.has(`call.state.${c.status}`) ? x.t(`call.state.${c.status}`) : c.status;
  if (c.outcome && x.has(`outcome.${c.outcome}`)) return x.t(`outcome.${c.outcome}`);
  return c.outcomeText || x.t('call.unknown_outcome');
}

const localeTag = (lang: string): string => (lang === 'ru' ? 'ru-RU' : 'en-GB');

export function formatDateTime(iso: string | null | undefined, lang: string, zone?: string): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  if (zone) options.timeZone = zone;
  return new Intl.DateTimeFormat(localeTag(lang), options).format(d);
}

/** 75 → "1 min 15 s" / "1 мин 15 с". */
export function formatDuration(sec: number | null | undefined, lang: string): string {
  if (sec === null || sec === undefined || Number.isNaN(sec)) return DASH;
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const unit = (value: number, u: 'hour' | 'minute' | 'second') => new Intl.NumberFormat(localeTag(lang), { style: 'unit', unit: u, unitDisplay: 'short' }).format(value);
  if (h) return `${unit(h, 'hour')} ${unit(m, 'minute')}`;
  if (m) return r ? `${unit(m, 'minute')} ${unit(r, 'second')}` : unit(m, 'minute');
  return unit(r, 'second');
}

function genderText(gender: string | null, x: CallTexts): string | null {
  if (!gender) return null;
  return x.has(`call.genders.${gender}`) ? x.t(`call.genders.${gender}`) : gender;
}

export function callView(c: CallEntry, x: CallTexts): CallView {
  const done = c.status === 'completed';
  const when = formatDateTime(c.startedAt, x.lang);
  const talk = c.talkSec ?? 0;
  const meta = [c.phone];
  if (c.templateName) meta.push(c.templateName);
  meta.push(x.t('call.attempt', { n: c.attemptNo }));
  if (done && talk > 0) meta.push(x.t('call.talk_for', { duration: formatDuration(talk, x.lang) }));

  const fact = (key: FactKey, value: string | null | undefined, items?: string[]): CallFact => {
    const f: CallFact = { key, label: x.t(`call.${key}`), value: value || DASH };
    if (items) f.items = items;
    return f;
  };
  const gender = genderText(c.gender, x);
  const result = fact('result', c.result);
  const tags = fact('tags', c.tags.join(', '), c.tags);
  const genderFact = fact('gender', gender);
  // A gender the detector could not tell is worth no line on a compact card.
  const facts: CallFact[] = [];
  if (c.result) facts.push(result);
  if (c.tags.length) facts.push(tags);
  if (gender && c.gender !== 'unknown') facts.push(genderFact);
  const amd = c.amdVerdict ? (x.has(`call.amd_verdict.${c.amdVerdict}`) ? x.t(`call.amd_verdict.${c.amdVerdict}`) : c.amdVerdict) : null;
  const details = [
    fact('phone', c.phone),
    fact('started', when),
    fact('duration', formatDuration(c.durationSec, x.lang)),
    fact('talk', formatDuration(c.talkSec, x.lang)),
    result,
    tags,
    genderFact,
    fact('amd', amd),
  ];
  if (c.error) details.push(fact('error', c.error));

  let recording: CallRecording;
  // Only once the MP3 copy is ready: a player opened earlier would keep the original's link.
  if (c.recordingUrl && !c.recordingPending) recording = { state: 'ready', url: c.recordingUrl, label: x.t('call.recording_label', { phone: c.phone, when }) };
  else if (c.recordingPending) recording = { state: 'pending', text: x.t('call.recording_pending') };
  else recording = { state: 'none', text: x.t('call.no_recording') };

  return {
    done,
    tone: callTone(c),
    outcome: outcomeLabel(c, x),
    startedAt: c.startedAt,
    when,
    meta,
    facts,
    details,
    ineffective: c.ineffective ? x.t('call.ineffective') : null,
    answers: c.answers.filter((a) => a.question || a.text).map((a) => ({ question: a.question, text: a.text || DASH })),
    labels: { answers: x.t('call.answers'), question: x.t('call.question'), answer: x.t('call.answer'), recording: x.t('call.recording') },
    recording,
  };
}
