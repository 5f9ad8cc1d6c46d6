import { describe, expect, it } from 'vitest';
import { RU_DECREES } from '../../../src/core/calendar/ruWorkCalendar.js';
import { COMPLIANCE_PROFILE_IDS } from '../../../src/core/callingWindow.js';
import { DomainError } from '../../../src/core/errors.js';
import {
  holidayCalendar,
  isHoliday,
  isHolidayCountry,
  isWorkingDay,
  type DayKind,
  type HolidaySource,
} from '../../../src/core/holidays.js';
import { ZONE_REASONS } from '../../../src/core/timezone.js';
import { hasKey, LOCALES, t } from '../../../src/i18n.js';

function datesOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('Russian production calendar', () => {
  it.each(Object.entries(RU_DECREES))('%s has the published number of working days', (year, decree) => {
    const worked = datesOf(Number(year)).filter((d) => isWorkingDay(d, 'RU'));
    expect(worked).toHaveLength(decree.workingDays);
    expect(holidayCalendar('RU').source(Number(year))).toBe('decree');
  });

  it('counts a transferred working Saturday as a working day', () => {
    expect(holidayCalendar('RU').dayKind('2025-11-01')).toBe('working'); // Saturday, worked for 3 November
    expect(isHoliday('2025-11-01', 'RU')).toBe(false);
    expect(isWorkingDay('2024-12-28', 'RU')).toBe(true);
    // An ordinary Saturday stays a weekend, and is not a "holiday".
    expect(holidayCalendar('RU').dayKind('2025-11-08')).toBe('weekend');
    expect(isHoliday('2025-11-08', 'RU')).toBe(false);
  });

  it('makes decreed bridge days non-working and tells them from public holidays', () => {
    const ru = holidayCalendar('RU');
    expect(ru.dayKind('2025-11-03')).toBe('bridge'); // Monday off, moved from Saturday 1 November
    expect(ru.dayKind('2025-11-04')).toBe('holiday');
    expect(ru.dayKind('2025-05-08')).toBe('bridge'); // from Sunday 23 February
    expect(ru.dayKind('2025-06-13')).toBe('bridge'); // from Saturday 8 March
    expect(ru.dayKind('2025-12-31')).toBe('bridge');
    expect(ru.dayKind('2026-01-09')).toBe('bridge');
    expect(isHoliday('2025-05-02', 'RU')).toBe(true);
  });

  it('knows all eight January days off, which date-holidays lacks', () => {
    for (let d = 1; d <= 8; d++) expect(isHoliday(`2026-01-0${d}`, 'RU')).toBe(true);
    expect(isWorkingDay('2026-01-12', 'RU')).toBe(true);
  });

  it('moves a weekend holiday to the next working day by statute where the decree does not say otherwise', () => {
    expect(holidayCalendar('RU').dayKind('2026-03-09')).toBe('bridge'); // 8 March 2026 is a Sunday
    expect(holidayCalendar('RU').dayKind('2026-05-11')).toBe('bridge'); // 9 May 2026 is a Saturday
  });

  it('computes an undecreed year from the Labour Code and says so', () => {
    const ru = holidayCalendar('RU');
    expect(ru.source(2027)).toBe('statutory');
    expect(ru.dayKind('2027-05-01')).toBe('holiday'); // Saturday
    expect(ru.dayKind('2027-05-03')).toBe('bridge'); // its day off moves to Monday
    expect(ru.dayKind('2027-05-10')).toBe('bridge'); // 9 May is a Sunday
    expect(ru.dayKind('2027-06-14')).toBe('bridge'); // 12 June is a Saturday
    expect(ru.dayKind('2027-01-04')).toBe('holiday');
  });

  it('rejects impossible dates instead of guessing', () => {
    expect(() => isHoliday('2025-02-30', 'RU')).toThrow(DomainError);
    expect(() => isHoliday('2025-1-1', 'DE')).toThrow(DomainError);
  });
});

describe('other countries', () => {
  it('take public holidays from date-holidays', () => {
    expect(isHoliday('2025-12-25', 'DE')).toBe(true);
    expect(isHoliday('2025-10-03', 'DE')).toBe(true);
    expect(isHoliday('2025-11-01', 'DE')).toBe(false); // only an observance nationwide
    expect(isHoliday('2025-07-04', 'US')).toBe(true);
    expect(holidayCalendar('DE').source(2025)).toBe('date-holidays');
  });

  it('count an observed substitute day as a bridge day off', () => {
    expect(holidayCalendar('US').dayKind('2026-07-03')).toBe('bridge'); // 4 July 2026 is a Saturday
  });

  it('treat Saturday and Sunday as the weekend and other days as working', () => {
    expect(holidayCalendar('DE').dayKind('2025-06-14')).toBe('weekend');
    expect(holidayCalendar('DE').dayKind('2025-06-16')).toBe('working');
  });

  it('fall back to weekends only for a country without holiday data, and report it', () => {
    expect(isHolidayCountry('XX')).toBe(false);
    expect(holidayCalendar('XX').source(2025)).toBe('weekends-only');
    expect(isHoliday('2025-12-25', 'XX')).toBe(false);
    expect(isHolidayCountry('ru')).toBe(true);
  });
});

describe('calendar locale keys', () => {
  it('exist in Russian and English for every reason, day kind, source and profile', () => {
    const keys = [
      ...ZONE_REASONS.map((r) => `calendar.zone_reason.${r}`),
      ...(['working', 'weekend', 'holiday', 'bridge'] satisfies DayKind[]).map((k) => `calendar.day_kind.${k}`),
      ...(['decree', 'statutory', 'date-holidays', 'weekends-only'] satisfies HolidaySource[]).map((s) => `calendar.holiday_source.${s}`),
      ...COMPLIANCE_PROFILE_IDS.flatMap((id) => [`calendar.compliance.${id}.name`, `calendar.compliance.${id}.description`]),
    ];
    for (const lng of LOCALES) for (const key of keys) expect(hasKey(lng, key), `${lng}: ${key}`).toBe(true);
    expect(t('ru', 'calendar.day_kind.bridge')).toMatch(/[а-яё]/i);
  });
});
