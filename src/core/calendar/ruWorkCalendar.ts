import { isoWeekday, type DayKind } from './localDay.js';

/**
 * Russia's production calendar ("производственный календарь"): which days are worked under a
 * five-day week.
 *
 * Why our own table: date-holidays lists only some of the statutory holidays (1, 2, 7, 8 January)
 * and none of the yearly transfers, while 230-FZ hours and "skip holidays" depend on exactly those
 * days. The rules are:
 * - Labour Code art. 112 (as in force since 2013): non-working public holidays are 1–6 and 8 January
 *   (New Year holidays), 7 January, 23 February, 8 March, 1 May, 9 May, 12 June, 4 November. When a
 *   holiday other than the January ones falls on a Saturday or Sunday, the day off moves to the next
 *   working day.
 * - Each year the Government decrees transfers: the January weekend days are moved (often to bridge
 *   days in May or to 31 December), and some Saturdays become working days. Those decrees are DECREES
 *   below, written out in full (every weekday off that is not itself a holiday, every worked weekend
 *   day), so a test can check each year against the official count of working days.
 * - A year without a decree here is computed from art. 112 alone and reported as 'statutory': the
 *   holidays are certain, the January transfers are not (they come with the decree, usually signed in
 *   August–October of the year before). Add the year here when its decree is published.
 */

interface DecreeYear {
  /** The decree, for audit. */
  decree: string;
  /** Weekdays off that are not public holidays: transferred days off and art. 112 moves. */
  bridges: readonly string[];
  /** Saturdays or Sundays that are working days by the decree. */
  workingWeekends: readonly string[];
  /** Working days under a five-day week, as published; checked by the tests. */
  workingDays: number;
}

export const RU_DECREES: Readonly<Record<number, DecreeYear>> = {
  2024: {
    decree: 'Постановление Правительства РФ от 10.08.2023 № 1314',
    // 6 Jan → 10 May, 7 Jan → 31 Dec, 27 Apr → 29 Apr, 2 Nov → 30 Apr, 28 Dec → 30 Dec.
    bridges: ['2024-04-29', '2024-04-30', '2024-05-10', '2024-12-30', '2024-12-31'],
    workingWeekends: ['2024-04-27', '2024-11-02', '2024-12-28'],
    workingDays: 248,
  },
  2025: {
    decree: 'Постановление Правительства РФ от 04.10.2024 № 1335',
    // 4 Jan → 2 May, 5 Jan → 31 Dec, 23 Feb → 8 May, 8 Mar → 13 Jun, 1 Nov → 3 Nov.
    bridges: ['2025-05-02', '2025-05-08', '2025-06-13', '2025-11-03', '2025-12-31'],
    workingWeekends: ['2025-11-01'],
    workingDays: 247,
  },
  2026: {
    decree: 'Постановление Правительства РФ от 24.09.2025 № 1466',
    // 3 Jan → 9 Jan, 4 Jan → 31 Dec; 8 Mar (Sun) → 9 Mar and 9 May (Sat) → 11 May by art. 112.
    bridges: ['2026-01-09', '2026-03-09', '2026-05-11', '2026-12-31'],
    workingWeekends: [],
    workingDays: 247,
  },
};

/** Month-day of every non-working public holiday (art. 112). */
const HOLIDAYS = new Set([
  '01-01', '01-02', '01-03', '01-04', '01-05', '01-06', '01-07', '01-08',
  '02-23', '03-08', '05-01', '05-09', '06-12', '11-04',
]);

const statutoryBridges = new Map<number, ReadonlySet<string>>();

/** Art. 112 part 2 without a decree: a non-January holiday on a weekend moves the day off forward. */
function bridgesByStatute(year: number): ReadonlySet<string> {
  const cached = statutoryBridges.get(year);
  if (cached) return cached;
  const out = new Set<string>();
  for (const md of HOLIDAYS) {
    if (md.startsWith('01-')) continue; // January weekend days are placed by the decree, not by the rule.
    const iso = `${year}-${md}`;
    const wd = isoWeekday(iso);
    if (wd < 6) continue;
    let day = Date.parse(`${iso}T00:00:00Z`);
    for (;;) {
      day += 86_400_000;
      const next = new Date(day).toISOString().slice(0, 10);
      // Only a weekday that is neither a holiday nor already a moved day off can take the move.
      if (isoWeekday(next) < 6 && !HOLIDAYS.has(next.slice(5)) && !out.has(next)) {
        out.add(next);
        break;
      }
    }
  }
  statutoryBridges.set(year, out);
  return out;
}

/** Kind of a date in Russia. */
export function ruDayKind(dateISO: string): DayKind {
  const weekend = isoWeekday(dateISO) >= 6; // validates the date first
  if (HOLIDAYS.has(dateISO.slice(5))) return 'holiday';
  const year = Number(dateISO.slice(0, 4));
  const decree = RU_DECREES[year];
  if (decree) {
    if (decree.bridges.includes(dateISO)) return 'bridge';
    if (decree.workingWeekends.includes(dateISO)) return 'working';
    return weekend ? 'weekend' : 'working';
  }
  if (bridgesByStatute(year).has(dateISO)) return 'bridge';
  return weekend ? 'weekend' : 'working';
}

/** Whether a year's answer comes from a decree or from art. 112 alone (transfers unknown yet). */
export function ruCalendarSource(year: number): 'decree' | 'statutory' {
  return RU_DECREES[year] ? 'decree' : 'statutory';
}
