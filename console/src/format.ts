import { formatDuration } from '../../widgets/shared/callView';
import { currentLang } from './i18n';

/**
 * Dates, times, numbers and durations in the user's language, times in the browser's time zone
 * (the user's own). Where the callee's local time matters it is shown beside, by zone name.
 */
const loc = () => (currentLang.value === 'ru' ? 'ru-RU' : 'en-GB');

export const userTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function dateTime(iso: string | null | undefined, zone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(loc(), { dateStyle: 'medium', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) }).format(new Date(iso));
}

export function dateOnly(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(loc(), { dateStyle: 'medium' }).format(new Date(iso.length === 10 ? `${iso}T12:00:00` : iso));
}

export function weekday(isoDate: string): string {
  return new Intl.DateTimeFormat(loc(), { weekday: 'short', day: 'numeric' }).format(new Date(`${isoDate}T12:00:00`));
}

export function timeOnly(iso: string | null | undefined, zone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(loc(), { timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) }).format(new Date(iso));
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(loc(), { maximumFractionDigits: digits }).format(n);
}

export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '—';
  return new Intl.NumberFormat(loc(), { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** 75 → "1 min 15 s" / "1 мин 15 с" — written as the call cards write it (widgets/shared/callView.ts). */
export function duration(sec: number | null | undefined): string {
  return formatDuration(sec, currentLang.value);
}

export function bytes(n: number): string {
  if (n < 1024) return `${num(n)} B`;
  if (n < 1024 * 1024) return `${num(n / 1024, 1)} KB`;
  return `${num(n / 1024 / 1024, 1)} MB`;
}

/** A moment in the future, relative: "in 5 minutes" / "через 5 минут". */
export function fromNow(iso: string | null | undefined): string {
  if (!iso) return '—';
  const diff = (new Date(iso).getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(loc(), { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}
