import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';
import { isoWeekday, type DayKind } from './calendar/localDay.js';
import { ruCalendarSource, ruDayKind } from './calendar/ruWorkCalendar.js';

export type { DayKind } from './calendar/localDay.js';

/**
 * Public holidays and working days per country (M7 holiday calendar; "skip holidays" of calling
 * windows; the working / non-working split of compliance profiles such as 230-FZ).
 *
 * Russia uses our production calendar (src/core/calendar/ruWorkCalendar.ts: decreed transfers for
 * 2024–2026, Labour Code art. 112 for other years). Every other country falls back to date-holidays'
 * public holidays (type "public"; substitute days count as bridges), with Saturday and Sunday as the
 * weekend. Pure: date-holidays computes from rules bundled in the package, no I/O.
 */

/** Where a calendar's answer for a year comes from. */
export type HolidaySource =
  /** A government decree written out in our table (RU). */
  | 'decree'
  /** Statutory holidays only; the yearly transfers are not decreed yet (RU). */
  | 'statutory'
  /** The date-holidays package. */
  | 'date-holidays'
  /** Country unknown to date-holidays: Saturday and Sunday are the only days off. */
  | 'weekends-only';

/** A country's calendar of working days, used by the calling-window functions. */
export interface HolidayCalendar {
  /** ISO 3166-1 alpha-2 code. */
  readonly country: string;
  /** What the date ("YYYY-MM-DD", a wall-calendar date in the callee's zone) is. */
  dayKind(dateISO: string): DayKind;
  /** Where the answer for a year comes from (shown beside a campaign's schedule). */
  source(year: number): HolidaySource;
}

/** Days off other than an ordinary weekend: what "skip holidays" skips. */
export function isSpecialDayOff(kind: DayKind): boolean {
  return kind === 'holiday' || kind === 'bridge';
}

/** Whether a date is a public holiday or a (transferred) weekday off in the country. */
export function isHoliday(dateISO: string, country: string): boolean {
  return isSpecialDayOff(holidayCalendar(country).dayKind(dateISO));
}

/** Whether a date is worked in the country (a transferred working Saturday is). */
export function isWorkingDay(dateISO: string, country: string): boolean {
  return holidayCalendar(country).dayKind(dateISO) === 'working';
}

const calendars = new Map<string, HolidayCalendar>();

/** The calendar of a country (memoised; calendars are immutable). */
export function holidayCalendar(country: string): HolidayCalendar {
  const code = country.trim().toUpperCase();
  let cal = calendars.get(code);
  if (!cal) {
    cal = code === 'RU' ? russia : libraryCalendar(code);
    calendars.set(code, cal);
  }
  return cal;
}

const russia: HolidayCalendar = { country: 'RU', dayKind: ruDayKind, source: ruCalendarSource };

// date-holidays and what it computes with (astronomy, moment-timezone: ~2 MB of code) load at the
// first country other than Russia, not at every start: a start parsed them for nothing where every
// callee is Russian. Required, not imported, so the server's bundle leaves them out.
let library: typeof Holidays | undefined;
const holidaysLibrary = (): typeof Holidays => (library ??= createRequire(import.meta.url)('date-holidays') as typeof Holidays);

let supported: ReadonlySet<string> | undefined;

/** Countries date-holidays knows (plus RU, always). */
export function isHolidayCountry(country: string): boolean {
  supported ??= new Set(Object.keys(new (holidaysLibrary())().getCountries()));
  const code = country.trim().toUpperCase();
  return code === 'RU' || supported.has(code);
}

function libraryCalendar(country: string): HolidayCalendar {
  const known = isHolidayCountry(country);
  const hd = known ? new (holidaysLibrary())(country) : undefined;
  const years = new Map<number, ReadonlyMap<string, DayKind>>();
  const daysOff = (year: number): ReadonlyMap<string, DayKind> => {
    let map = years.get(year);
    if (!map) {
      const m = new Map<string, DayKind>();
      for (const h of hd?.getHolidays(year) ?? []) {
        if (h.type !== 'public') continue;
        const iso = h.date.slice(0, 10);
        // An observed substitute is a weekday off standing in for a holiday: a bridge.
        if (!m.has(iso) || !h.substitute) m.set(iso, h.substitute ? 'bridge' : 'holiday');
      }
      map = m;
      years.set(year, map);
    }
    return map;
  };
  return {
    country,
    dayKind(dateISO) {
      const special = daysOff(Number(dateISO.slice(0, 4))).get(dateISO);
      if (special) return special;
      return isoWeekday(dateISO) >= 6 ? 'weekend' : 'working';
    },
    source: () => (known ? 'date-holidays' : 'weekends-only'),
  };
}
