import { lang } from './i18n.js';

/** Dates, durations and numbers in the page's language; colours of outcomes. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** `m:ss` (or `h:mm:ss`). */
export function duration(totalSec: number): string {
  const s = Math.max(0, Math.round(totalSec));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function count(n: number): string {
  return new Intl.NumberFormat(lang()).format(n);
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'progress';

/** The colour an outcome is shown in (always next to its name, never alone). */
export function outcomeTone(outcome: string | null): Tone {
  switch (outcome) {
    case 'human':
      return 'good';
    case 'busy':
    case 'no_answer':
    case 'short':
    case 'machine':
      return 'warn';
    case 'failed':
    case 'invalid_number':
      return 'bad';
    default:
      return 'neutral';
  }
}
