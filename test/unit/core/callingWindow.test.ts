import { describe, expect, it } from 'vitest';
import {
  COMPLIANCE_PROFILES,
  callingWindowSchema,
  isWithinWindow,
  nextWindowOpening,
  windowClosesAt,
  zonesInEffect,
  type CallingWindow,
  type WindowSpec,
} from '../../../src/core/callingWindow.js';
import { DomainError } from '../../../src/core/errors.js';
import { holidayCalendar, type HolidayCalendar } from '../../../src/core/holidays.js';
import type { CallZones } from '../../../src/core/timezone.js';
import { toFieldIssues } from '../../../src/core/validation.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const zone = (name: string, campaignZone = 'Europe/Moscow'): CallZones => ({ candidates: [name], campaignZone });
const win = (w: Partial<CallingWindow> & Pick<CallingWindow, 'from' | 'to'>): CallingWindow => ({
  days: [1, 2, 3, 4, 5, 6, 7],
  skipHolidays: false,
  ...w,
});

const weekdays9to18 = win({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' });

describe('single zone', () => {
  it('opens and closes on the callee’s wall clock', () => {
    const msk = zone('Europe/Moscow');
    expect(isWithinWindow(at('2025-06-17T05:59:59.999Z'), weekdays9to18, msk)).toBe(false);
    expect(isWithinWindow(at('2025-06-17T06:00:00Z'), weekdays9to18, msk)).toBe(true);
    expect(isWithinWindow(at('2025-06-17T14:59:59.999Z'), weekdays9to18, msk)).toBe(true);
    expect(isWithinWindow(at('2025-06-17T15:00:00Z'), weekdays9to18, msk)).toBe(false);
    expect(iso(windowClosesAt(at('2025-06-17T10:00:00Z'), weekdays9to18, msk))).toBe('2025-06-17T15:00:00.000Z');
    expect(windowClosesAt(at('2025-06-17T16:00:00Z'), weekdays9to18, msk)).toBeNull();
  });

  it('skips the weekend', () => {
    // Friday 18:30 MSK → Monday 09:00 MSK.
    expect(iso(nextWindowOpening(at('2025-06-20T15:30:00Z'), weekdays9to18, zone('Europe/Moscow')))).toBe('2025-06-23T06:00:00.000Z');
    expect(isWithinWindow(at('2025-06-21T08:00:00Z'), weekdays9to18, zone('Europe/Moscow'))).toBe(false);
  });

  it('returns now when already open, and null when no day is selected', () => {
    const now = at('2025-06-17T08:00:00Z');
    expect(nextWindowOpening(now, weekdays9to18, zone('Europe/Moscow'))).toEqual(now);
    expect(nextWindowOpening(now, win({ days: [], from: '09:00', to: '18:00' }), zone('Europe/Moscow'))).toBeNull();
  });

  it('handles half- and quarter-hour zones', () => {
    const daily = win({ from: '09:00', to: '21:00' });
    expect(iso(nextWindowOpening(at('2025-06-17T00:00:00Z'), daily, zone('Asia/Kolkata')))).toBe('2025-06-17T03:30:00.000Z');
    expect(iso(nextWindowOpening(at('2025-06-17T00:00:00Z'), daily, zone('Asia/Kathmandu')))).toBe('2025-06-17T03:15:00.000Z');
    expect(iso(windowClosesAt(at('2025-06-17T10:00:00Z'), daily, zone('Asia/Kathmandu')))).toBe('2025-06-17T15:15:00.000Z');
    // libphonenumber still names them by their old ids.
    expect(isWithinWindow(at('2025-06-17T03:20:00Z'), daily, zone('Asia/Katmandu'))).toBe(true);
    expect(isWithinWindow(at('2025-06-17T03:20:00Z'), daily, zone('Asia/Calcutta'))).toBe(false);
  });

  it('uses per-weekday hours (V2)', () => {
    const w = win({ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '18:00', byWeekday: { '6': { from: '11:00', to: '14:00' } } });
    const msk = zone('Europe/Moscow');
    expect(isWithinWindow(at('2025-06-21T07:00:00Z'), w, msk)).toBe(false); // Sat 10:00
    expect(isWithinWindow(at('2025-06-21T08:00:00Z'), w, msk)).toBe(true); // Sat 11:00
    expect(iso(windowClosesAt(at('2025-06-21T08:00:00Z'), w, msk))).toBe('2025-06-21T11:00:00.000Z');
    expect(iso(nextWindowOpening(at('2025-06-21T11:00:00Z'), w, msk))).toBe('2025-06-23T06:00:00.000Z');
  });
});

describe('overnight windows', () => {
  const nights = win({ days: [1, 2, 3, 4, 5], from: '22:00', to: '06:00' });
  const msk = zone('Europe/Moscow');

  it('run past midnight and belong to the day they open', () => {
    expect(isWithinWindow(at('2025-06-20T20:00:00Z'), nights, msk)).toBe(true); // Fri 23:00
    expect(isWithinWindow(at('2025-06-21T02:00:00Z'), nights, msk)).toBe(true); // Sat 05:00, Friday's night
    expect(isWithinWindow(at('2025-06-21T20:00:00Z'), nights, msk)).toBe(false); // Sat 23:00
    expect(isWithinWindow(at('2025-06-23T02:00:00Z'), nights, msk)).toBe(false); // Mon 05:00, Sunday's night
    expect(iso(windowClosesAt(at('2025-06-20T20:00:00Z'), nights, msk))).toBe('2025-06-21T03:00:00.000Z');
    expect(iso(nextWindowOpening(at('2025-06-21T03:00:00Z'), nights, msk))).toBe('2025-06-23T19:00:00.000Z');
  });

  it('join with the next day’s window into one stretch', () => {
    const w = win({ days: [1, 2], from: '22:00', to: '24:00', byWeekday: { '2': { from: '00:00', to: '03:00' } } });
    // Monday 22:00–24:00 then Tuesday 00:00–03:00: one stretch closing Tuesday 03:00.
    expect(iso(windowClosesAt(at('2025-06-16T20:00:00Z'), w, msk))).toBe('2025-06-17T00:00:00.000Z');
  });
});

describe('holidays', () => {
  const ruWeekdays = win({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'RU' });
  const ruMonToSat = win({ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'RU' });
  const msk = zone('Europe/Moscow');

  it('skip public holidays and bridge days, open on a transferred working Saturday', () => {
    expect(isWithinWindow(at('2025-11-03T08:00:00Z'), ruMonToSat, msk)).toBe(false); // Mon, transferred day off
    expect(isWithinWindow(at('2025-11-04T08:00:00Z'), ruMonToSat, msk)).toBe(false); // Unity Day
    expect(isWithinWindow(at('2025-11-01T08:00:00Z'), ruMonToSat, msk)).toBe(true); // worked Saturday
    expect(iso(nextWindowOpening(at('2025-10-31T16:00:00Z'), ruMonToSat, msk))).toBe('2025-11-01T06:00:00.000Z');
    // The same Saturday stays closed for a weekdays-only window: days decide, the calendar only closes.
    expect(isWithinWindow(at('2025-11-01T08:00:00Z'), ruWeekdays, msk)).toBe(false);
  });

  it('wait out the May holidays', () => {
    // Wed 30 April 2025 after hours → 1–4 May off → Mon 5 May 09:00 MSK.
    expect(iso(nextWindowOpening(at('2025-04-30T16:00:00Z'), ruWeekdays, msk))).toBe('2025-05-05T06:00:00.000Z');
  });

  it('wait out the New Year holidays, 31 December 2025 to 11 January 2026', () => {
    expect(iso(nextWindowOpening(at('2025-12-30T15:00:00Z'), ruWeekdays, msk))).toBe('2026-01-12T06:00:00.000Z');
    expect(iso(nextWindowOpening(at('2025-12-30T15:00:00Z'), ruWeekdays, zone('Asia/Vladivostok')))).toBe('2026-01-11T23:00:00.000Z');
  });

  it('are ignored unless asked for', () => {
    expect(isWithinWindow(at('2025-11-04T08:00:00Z'), { ...ruWeekdays, skipHolidays: false }, msk)).toBe(true);
  });

  it('can come from a calendar passed in, which wins over the window’s country', () => {
    const companyDayOff: HolidayCalendar = {
      country: 'RU',
      dayKind: (d) => (d === '2025-06-18' ? 'holiday' : holidayCalendar('RU').dayKind(d)),
      source: () => 'decree',
    };
    expect(isWithinWindow(at('2025-06-18T08:00:00Z'), ruWeekdays, msk)).toBe(true);
    expect(isWithinWindow(at('2025-06-18T08:00:00Z'), ruWeekdays, msk, companyDayOff)).toBe(false);
  });

  it('refuse to run without a calendar rather than call on holidays', () => {
    const broken = { ...ruWeekdays, holidayCountry: undefined };
    expect(() => isWithinWindow(at('2025-06-18T08:00:00Z'), broken, msk)).toThrow(DomainError);
  });
});

describe('DST', () => {
  it('opens at the end of a spring-forward gap when the start time never shows (New York)', () => {
    // 9 March 2025: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    const w = win({ from: '02:30', to: '03:30' });
    const ny = zone('America/New_York');
    expect(iso(nextWindowOpening(at('2025-03-09T06:00:00Z'), w, ny))).toBe('2025-03-09T07:00:00.000Z');
    expect(iso(windowClosesAt(at('2025-03-09T07:00:00Z'), w, ny))).toBe('2025-03-09T07:30:00.000Z');
    // A window ending inside the gap ends when the clock jumps.
    const early = win({ from: '01:00', to: '02:30' });
    expect(iso(windowClosesAt(at('2025-03-09T06:30:00Z'), early, ny))).toBe('2025-03-09T07:00:00.000Z');
  });

  it('is open during both passes of a repeated half hour (New York fall-back)', () => {
    // 2 November 2025: 02:00 EDT falls back to 01:00 EST; 01:00–02:00 happens twice.
    const w = win({ from: '01:00', to: '01:30' });
    const ny = zone('America/New_York');
    expect(isWithinWindow(at('2025-11-02T05:10:00Z'), w, ny)).toBe(true); // 01:10 EDT
    expect(isWithinWindow(at('2025-11-02T05:45:00Z'), w, ny)).toBe(false); // 01:45 EDT
    expect(isWithinWindow(at('2025-11-02T06:10:00Z'), w, ny)).toBe(true); // 01:10 EST
    expect(iso(windowClosesAt(at('2025-11-02T05:10:00Z'), w, ny))).toBe('2025-11-02T05:30:00.000Z');
    expect(iso(nextWindowOpening(at('2025-11-02T05:30:00Z'), w, ny))).toBe('2025-11-02T06:00:00.000Z');
  });

  it('keeps daytime hours on the wall clock across Berlin’s transitions', () => {
    const w = win({ from: '09:00', to: '18:00' });
    const berlin = zone('Europe/Berlin');
    expect(iso(nextWindowOpening(at('2025-03-29T18:00:00Z'), w, berlin))).toBe('2025-03-30T07:00:00.000Z'); // CEST
    expect(iso(nextWindowOpening(at('2025-10-25T18:00:00Z'), w, berlin))).toBe('2025-10-26T08:00:00.000Z'); // CET
  });

  it('shortens and lengthens overnight windows that span the change (Berlin)', () => {
    const nights = win({ from: '22:00', to: '06:00' });
    const berlin = zone('Europe/Berlin');
    // Sat 29 March 22:00 CET (21:00Z) to Sun 06:00 CEST (04:00Z): seven hours.
    expect(iso(windowClosesAt(at('2025-03-29T21:00:00Z'), nights, berlin))).toBe('2025-03-30T04:00:00.000Z');
    // Sat 25 October 22:00 CEST (20:00Z) to Sun 06:00 CET (05:00Z): nine hours.
    expect(iso(windowClosesAt(at('2025-10-25T20:00:00Z'), nights, berlin))).toBe('2025-10-26T05:00:00.000Z');
  });

  it('has no surprises in a zone without DST (Moscow)', () => {
    const w = win({ from: '09:00', to: '21:00' });
    for (const day of ['2025-01-15', '2025-03-30', '2025-07-15', '2025-10-26']) {
      expect(iso(nextWindowOpening(at(`${day}T00:00:00Z`), w, zone('Europe/Moscow')))).toBe(`${day}T06:00:00.000Z`);
    }
  });
});

describe('several candidate zones', () => {
  const w = win({ from: '09:00', to: '21:00' });
  const usa: CallZones = { candidates: ['America/New_York', 'America/Los_Angeles'], campaignZone: 'America/New_York' };

  it('allow a call only while the window holds in every zone', () => {
    // 10:00 in New York is 07:00 in Los Angeles.
    expect(isWithinWindow(at('2025-06-17T14:00:00Z'), w, usa)).toBe(false);
    expect(iso(nextWindowOpening(at('2025-06-17T14:00:00Z'), w, usa))).toBe('2025-06-17T16:00:00.000Z'); // 09:00 PT
    expect(iso(windowClosesAt(at('2025-06-17T16:00:00Z'), w, usa))).toBe('2025-06-18T01:00:00.000Z'); // 21:00 ET
    expect(zonesInEffect(at('2025-06-17T16:00:00Z'), w, usa)).toEqual({
      zones: ['America/New_York', 'America/Los_Angeles'],
      reason: 'callee_zones_all',
    });
  });

  it('intersect Alaska’s two zones for a +1 907 number', () => {
    const alaska: CallZones = { candidates: ['America/Adak', 'America/Anchorage'], campaignZone: 'America/New_York' };
    // 09:00 in Adak (HDT, UTC−9) is 10:00 in Anchorage (AKDT, UTC−8); 21:00 Anchorage closes first.
    expect(iso(nextWindowOpening(at('2025-06-17T12:00:00Z'), w, alaska))).toBe('2025-06-17T18:00:00.000Z');
    expect(iso(windowClosesAt(at('2025-06-17T18:00:00Z'), w, alaska))).toBe('2025-06-18T05:00:00.000Z');
  });

  it('fall back to the campaign zone on a day they share no moment, and say so', () => {
    // Kaliningrad (UTC+2) and Kamchatka (UTC+12): 09:00–18:00 never overlaps.
    const wide: CallZones = { candidates: ['Europe/Kaliningrad', 'Asia/Kamchatka'], campaignZone: 'Europe/Moscow' };
    const day = win({ from: '09:00', to: '18:00' });
    const now = at('2025-06-17T05:00:00Z'); // 08:00 MSK
    expect(zonesInEffect(now, day, wide)).toEqual({ zones: ['Europe/Moscow'], reason: 'zones_disjoint' });
    expect(iso(nextWindowOpening(now, day, wide))).toBe('2025-06-17T06:00:00.000Z'); // 09:00 MSK
    expect(isWithinWindow(at('2025-06-17T10:00:00Z'), day, wide)).toBe(true);
  });

  it('decide the fallback per day: a Saturday without a common moment falls back, weekdays do not', () => {
    const w2 = win({ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '21:00', byWeekday: { '6': { from: '10:00', to: '12:00' } } });
    // Saturday 10–12 in New York and 10–12 in Los Angeles (13–15 New York time) never meet.
    expect(zonesInEffect(at('2025-06-21T15:00:00Z'), w2, usa).reason).toBe('zones_disjoint');
    expect(isWithinWindow(at('2025-06-21T15:00:00Z'), w2, usa)).toBe(true); // 11:00 New York
    expect(zonesInEffect(at('2025-06-20T15:00:00Z'), w2, usa).reason).toBe('callee_zones_all');
    expect(isWithinWindow(at('2025-06-20T15:00:00Z'), w2, usa)).toBe(false); // Friday 08:00 in LA
  });

  it('use the campaign zone when the region is unknown', () => {
    const unknown: CallZones = { candidates: [], campaignZone: 'Asia/Novosibirsk' };
    expect(zonesInEffect(at('2025-06-17T05:00:00Z'), w, unknown)).toEqual({ zones: ['Asia/Novosibirsk'], reason: 'unknown_region' });
    expect(iso(nextWindowOpening(at('2025-06-17T00:00:00Z'), w, unknown))).toBe('2025-06-17T02:00:00.000Z');
    expect(zonesInEffect(at('2025-06-17T05:00:00Z'), w, { candidates: ['Not/AZone'], campaignZone: 'UTC' }).reason).toBe('unknown_region');
  });

  it('reject an unknown campaign zone', () => {
    expect(() => isWithinWindow(at('2025-06-17T05:00:00Z'), w, { candidates: [], campaignZone: 'Moscow' })).toThrow(DomainError);
  });
});

describe('compliance profile ru_230fz and intersection with the template limiter', () => {
  const ru = COMPLIANCE_PROFILES.ru_230fz;
  const vlad = zone('Asia/Vladivostok');

  it('allows 08–22 on working days and 09–20 on weekends and holidays, callee-local', () => {
    expect(isWithinWindow(at('2025-06-16T22:30:00Z'), ru, vlad)).toBe(true); // Tue 08:30 VLAT
    expect(isWithinWindow(at('2025-06-20T22:30:00Z'), ru, vlad)).toBe(false); // Sat 08:30
    expect(isWithinWindow(at('2025-06-20T23:30:00Z'), ru, vlad)).toBe(true); // Sat 09:30
    expect(isWithinWindow(at('2025-06-12T10:30:00Z'), ru, vlad)).toBe(false); // Russia Day 20:30
  });

  it('treats a transferred working Saturday as a working day', () => {
    const msk = zone('Europe/Moscow');
    expect(isWithinWindow(at('2025-11-01T05:30:00Z'), ru, msk)).toBe(true); // worked Sat 08:30
    expect(isWithinWindow(at('2025-11-08T05:30:00Z'), ru, msk)).toBe(false); // ordinary Sat 08:30
    expect(isWithinWindow(at('2025-11-03T05:30:00Z'), ru, msk)).toBe(false); // bridge Monday 08:30
  });

  it('narrows a wider campaign window and the template’s own limiter (T8)', () => {
    const campaign = win({ from: '07:00', to: '23:00' });
    const template = { from: '10:00', to: '23:30' };
    const spec: WindowSpec = [campaign, template, ru];
    const msk = zone('Europe/Moscow');
    expect(iso(nextWindowOpening(at('2025-06-17T03:00:00Z'), spec, msk))).toBe('2025-06-17T07:00:00.000Z'); // 10:00
    expect(iso(windowClosesAt(at('2025-06-17T12:00:00Z'), spec, msk))).toBe('2025-06-17T19:00:00.000Z'); // 22:00
  });
});

describe('callingWindowSchema', () => {
  const keysOf = (input: unknown) => {
    const r = callingWindowSchema.safeParse(input);
    return r.success ? [] : toFieldIssues(r.error).map((i) => `${i.path}:${i.key}`);
  };

  it('accepts a full definition and defaults skipHolidays', () => {
    expect(callingWindowSchema.parse({ days: [1, 2, 3], from: '22:00', to: '06:00' }).skipHolidays).toBe(false);
    expect(keysOf({ days: [6], from: '00:00', to: '24:00', byWeekday: { '6': { from: '10:00', to: '14:00' } } })).toEqual([]);
    expect(callingWindowSchema.parse({ days: [1], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'ru' }).holidayCountry).toBe('RU');
  });

  it('names each problem with an i18n key', () => {
    expect(keysOf({ days: [1], from: '9:00', to: '18:00' })).toEqual(['from:validation.time_hhmm']);
    expect(keysOf({ days: [1], from: '24:00', to: '18:00' })).toEqual(['from:validation.time_hhmm']);
    expect(keysOf({ days: [1], from: '09:00', to: '09:00' })).toEqual(['to:validation.window_empty']);
    expect(keysOf({ days: [0, 8], from: '09:00', to: '18:00' })).toEqual(['days.0:validation.window_weekday', 'days.1:validation.window_weekday']);
    expect(keysOf({ days: [1, 1], from: '09:00', to: '18:00' })).toEqual(['days:validation.window_days_duplicate']);
    expect(keysOf({ days: [], from: '09:00', to: '18:00' })).toEqual(['days:validation.window_no_days']);
    expect(keysOf({ days: [1], from: '09:00', to: '18:00', byWeekday: { '6': { from: '10:00', to: '14:00' } } })).toEqual([
      'byWeekday.6:validation.window_override_day_not_selected',
    ]);
    expect(keysOf({ days: [1], from: '09:00', to: '18:00', byWeekday: { sat: { from: '10:00', to: '14:00' } } })).toEqual([
      'byWeekday.sat:validation.window_weekday',
    ]);
    expect(keysOf({ days: [1], from: '09:00', to: '18:00', byWeekday: { '1': { from: '10:00', to: '10:00' } } })).toEqual([
      'byWeekday.1.to:validation.window_empty',
    ]);
    expect(keysOf({ days: [1], from: '09:00', to: '18:00', skipHolidays: true })).toEqual([
      'holidayCountry:validation.window_holiday_country_required',
    ]);
    expect(keysOf({ days: [1], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'XX' })).toEqual([
      'holidayCountry:validation.window_holiday_country_unsupported',
    ]);
  });
});

describe('property: nextWindowOpening and windowClosesAt agree with isWithinWindow', () => {
  // A deterministic generator, so a failure names a reproducible instant.
  let seed = 20250617;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cases: { name: string; spec: WindowSpec; zones: CallZones; from: string; spanDays: number }[] = [
    { name: 'RU weekdays + holidays, Moscow', spec: win({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'RU' }), zones: zone('Europe/Moscow'), from: '2025-04-25', spanDays: 20 },
    { name: 'overnight, New York across DST', spec: win({ days: [1, 3, 5, 6], from: '22:30', to: '02:30' }), zones: zone('America/New_York'), from: '2025-03-01', spanDays: 20 },
    { name: 'gap hours, New York spring', spec: win({ from: '02:15', to: '02:45' }), zones: zone('America/New_York'), from: '2025-03-05', spanDays: 8 },
    { name: 'overlap hours, Berlin autumn', spec: win({ from: '02:10', to: '02:40' }), zones: zone('Europe/Berlin'), from: '2025-10-22', spanDays: 8 },
    { name: '230-FZ with campaign and limiter, Vladivostok', spec: [win({ days: [1, 2, 3, 4, 5, 6], from: '07:00', to: '21:30' }), { from: '08:30', to: '23:00' }, COMPLIANCE_PROFILES.ru_230fz], zones: zone('Asia/Vladivostok'), from: '2025-12-24', spanDays: 24 },
    { name: 'USA two zones', spec: win({ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '21:00', byWeekday: { '6': { from: '10:00', to: '12:00' } } }), zones: { candidates: ['America/New_York', 'America/Los_Angeles'], campaignZone: 'America/Chicago' }, from: '2025-10-28', spanDays: 14 },
    { name: 'Kathmandu overnight', spec: win({ from: '20:45', to: '03:15' }), zones: zone('Asia/Kathmandu'), from: '2025-06-01', spanDays: 6 },
    // Chile skips midnight (7 September 2025, 00:00 → 01:00); Lebanon repeats the last hour of a day
    // (26 October 2025, 00:00 → 23:00 of the 25th), which also tests a campaign day shown twice.
    { name: 'midnight gap, Santiago', spec: win({ from: '23:30', to: '00:30' }), zones: zone('America/Santiago'), from: '2025-09-03', spanDays: 8 },
    { name: 'repeated evening hour, Beirut', spec: win({ days: [5, 6, 7], from: '23:00', to: '23:45' }), zones: zone('Asia/Beirut'), from: '2025-10-21', spanDays: 9 },
    { name: 'two zones, campaign in Beirut', spec: win({ days: [6, 7], from: '08:00', to: '11:00' }), zones: { candidates: ['Europe/London', 'Asia/Dubai'], campaignZone: 'Asia/Beirut' }, from: '2025-10-20', spanDays: 12 },
    { name: 'Kaliningrad + Kamchatka fallback', spec: win({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }), zones: { candidates: ['Europe/Kaliningrad', 'Asia/Kamchatka'], campaignZone: 'Europe/Moscow' }, from: '2025-06-10', spanDays: 10 },
  ];

  it.each(cases)('$name', ({ spec, zones, from, spanDays }) => {
    const start = Date.parse(`${from}T00:00:00Z`);
    for (let k = 0; k < 60; k++) {
      // Mostly arbitrary instants, some exactly on the minute (where boundaries sit).
      const raw = start + random() * spanDays * 86_400_000;
      const now = new Date(k % 3 === 0 ? Math.floor(raw / 60_000) * 60_000 : Math.floor(raw));
      const next = nextWindowOpening(now, spec, zones);
      expect(next, now.toISOString()).not.toBeNull();
      if (!next) continue;
      expect(isWithinWindow(next, spec, zones), `opening after ${now.toISOString()}`).toBe(true);
      if (next.getTime() > now.getTime()) {
        // Nothing before the opening is inside: the instant just before it, and samples in between.
        expect(isWithinWindow(new Date(next.getTime() - 1), spec, zones), `just before ${next.toISOString()}`).toBe(false);
        for (let s = 0; s < 25; s++) {
          const t = new Date(now.getTime() + Math.floor(random() * (next.getTime() - now.getTime())));
          expect(isWithinWindow(t, spec, zones), `between: ${t.toISOString()}`).toBe(false);
        }
      }
      const closes = windowClosesAt(next, spec, zones);
      expect(closes, `closes after ${next.toISOString()}`).not.toBeNull();
      if (!closes) continue;
      expect(closes.getTime()).toBeGreaterThan(next.getTime());
      expect(isWithinWindow(new Date(closes.getTime() - 1), spec, zones), `open until ${closes.toISOString()}`).toBe(true);
      expect(isWithinWindow(closes, spec, zones), `closed at ${closes.toISOString()}`).toBe(false);
      for (let s = 0; s < 10; s++) {
        const t = new Date(next.getTime() + Math.floor(random() * (closes.getTime() - next.getTime())));
        expect(isWithinWindow(t, spec, zones), `inside: ${t.toISOString()}`).toBe(true);
      }
    }
  });
});
