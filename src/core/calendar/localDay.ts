import { badRequest } from '../errors.js';

/**
 * Local calendar days and wall-clock times, with no time zone attached. A "day number" counts days
 * since 1970-01-01 on the wall calendar, so weekday and date arithmetic never touch DST.
 */
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/**
 * What a date is in a country's calendar:
 * - `working`: a working day under a five-day week, including a Saturday made working by a transfer;
 * - `weekend`: an ordinary Saturday or Sunday off;
 * - `holiday`: a public (non-working) holiday, whatever weekday it falls on;
 * - `bridge`: a weekday off that is not a holiday itself (a transferred day off, or a holiday's day off
 *   moved from a weekend).
 */
export type DayKind = 'working' | 'weekend' | 'holiday' | 'bridge';

/** One wall-calendar day. */
export interface LocalDay {
  /** Days since 1970-01-01 on the wall calendar. */
  n: number;
  /** "YYYY-MM-DD". */
  iso: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

export function localDayOf(n: number): LocalDay {
  return { n, iso: new Date(n * DAY_MS).toISOString().slice(0, 10), weekday: weekdayOfDayNumber(n) };
}

/** ISO weekday of a day number (day 0, 1970-01-01, was a Thursday). */
export function weekdayOfDayNumber(n: number): number {
  return (((n + 3) % 7) + 7) % 7 + 1;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a "YYYY-MM-DD" date. */
export function isoWeekday(dateISO: string): number {
  return weekdayOfDayNumber(dayNumberOf(dateISO));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a "YYYY-MM-DD" date; rejects impossible dates such as 2025-02-30. */
export function dayNumberOf(dateISO: string): number {
  const m = ISO_DATE.exec(dateISO);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== dateISO) {
    throw badRequest('validation.date_iso', { value: dateISO });
  }
  return ms / DAY_MS;
}

const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Whether a string is a wall-clock time "HH:MM" (00:00–23:59), or "24:00" when `allowEndOfDay`. */
export function isTimeOfDay(value: string, allowEndOfDay = false): boolean {
  const m = HHMM.exec(value);
  return m !== null && (allowEndOfDay || m[3] === undefined);
}

/** Minutes since midnight of "HH:MM" ("24:00" = 1440). */
export function minutesOf(value: string): number {
  const m = HHMM.exec(value);
  if (!m) throw badRequest('validation.time_hhmm', { value });
  return m[3] ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}
