import { IANAZone } from 'luxon';
import { z } from 'zod';
import { isTimeOfDay, minutesOf, type LocalDay } from './calendar/localDay.js';
import {
  clip,
  intersect,
  isOpenAt,
  localDays,
  openIntervals,
  union,
  type DayRange,
  type DayRule,
  type Interval,
} from './calendar/zoneIntervals.js';
import { badRequest } from './errors.js';
import { holidayCalendar, isHolidayCountry, isSpecialDayOff, type HolidayCalendar } from './holidays.js';
import { isValidTimeZone, validZones, type CallZones, type ZonesInEffect } from './timezone.js';

/**
 * Calling windows: when a number may be dialled, on the callee's wall clock (J1 weekdays and hours,
 * V2 hours per weekday, T8 the template's limiter, M7 holidays, compliance profiles such as 230-FZ).
 *
 * A spec is one constraint or a list of them, all of which must hold: e.g.
 * `[campaign.window, template.callingWindow, COMPLIANCE_PROFILES.ru_230fz]`. Each is evaluated on the
 * wall clock of every zone in force for the number (see src/core/timezone.ts for the zone rule), so the
 * functions below are pure and DST-safe: the instant is always a parameter.
 *
 * The optional `calendar` argument supplies holidays for windows with `skipHolidays` and wins over the
 * window's `holidayCountry` (pass the callee's country calendar, or a company's own days off);
 * compliance profiles always use their own country's calendar.
 *
 * A window whose `from` is later than its `to` crosses midnight and belongs to the day it opens:
 * Friday 22:00–06:00 runs into Saturday morning even when Saturday is not selected, and a holiday
 * closes the night that starts on it.
 */

const timeOfDay = z.string().refine((v) => isTimeOfDay(v), { message: 'validation.time_hhmm' });
const endOfRange = z.string().refine((v) => isTimeOfDay(v, true), { message: 'validation.time_hhmm' });

/** Hours of one day, callee-local; `to` may be "24:00"; `from` > `to` crosses midnight. */
export const timeRangeSchema = z
  .object({ from: timeOfDay, to: endOfRange })
  .strict()
  .superRefine((r, ctx) => {
    if (sameMinute(r.from, r.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'validation.window_empty' });
  });
export type TimeRange = z.output<typeof timeRangeSchema>;

const weekday = z
  .number()
  .refine((d) => Number.isInteger(d) && d >= 1 && d <= 7, { message: 'validation.window_weekday' });

export const callingWindowSchema = z
  .object({
    /** ISO weekdays on which the window opens: 1 = Monday … 7 = Sunday; at least one. */
    days: z.array(weekday).max(7),
    /** Opening time, "HH:MM" callee-local. */
    from: timeOfDay,
    /** Closing time, "HH:MM" or "24:00"; earlier than `from` = the next morning. */
    to: endOfRange,
    /** Other hours on some weekdays (V2), keyed "1"…"7"; the weekday must be in `days`. */
    byWeekday: z.record(z.string(), timeRangeSchema).optional(),
    /** Closed on public holidays and transferred days off of `holidayCountry` (M7). */
    skipHolidays: z.boolean().default(false),
    /** Whose holidays, ISO 3166-1 alpha-2; required with `skipHolidays`. */
    holidayCountry: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isHolidayCountry, { message: 'validation.window_holiday_country_unsupported' })
      .optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    // A window without days never opens: every number would wait for ever without a word.
    if (w.days.length === 0) ctx.addIssue({ code: 'custom', path: ['days'], message: 'validation.window_no_days' });
    if (new Set(w.days).size !== w.days.length) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'validation.window_days_duplicate' });
    }
    if (sameMinute(w.from, w.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'validation.window_empty' });
    for (const key of Object.keys(w.byWeekday ?? {})) {
      if (!/^[1-7]$/.test(key)) {
        ctx.addIssue({ code: 'custom', path: ['byWeekday', key], message: 'validation.window_weekday' });
      } else if (!w.days.includes(Number(key))) {
        ctx.addIssue({
          code: 'custom',
          path: ['byWeekday', key],
          message: 'validation.window_override_day_not_selected',
          params: { day: Number(key) },
        });
      }
    }
    if (w.skipHolidays && !w.holidayCountry) {
      ctx.addIssue({ code: 'custom', path: ['holidayCountry'], message: 'validation.window_holiday_country_required' });
    }
  });
/** A campaign's (or autodialer group's) calling window, validated. */
export type CallingWindow = z.output<typeof callingWindowSchema>;

/** J1's default: working hours on weekdays. */
export const DEFAULT_CALLING_WINDOW: CallingWindow = { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: false };

/** A legal calling-hours regime as data (peers.md §6.4), evaluated in the callee's local time. */
export interface ComplianceProfile {
  /** Stable id, stored in campaign settings. */
  id: ComplianceProfileId;
  /** Country whose production calendar tells working days from weekends and holidays. */
  country: string;
  /** Hours on working days (a transferred working Saturday is one). */
  working: TimeRange;
  /** Hours on weekends, public holidays and transferred days off. */
  nonWorking: TimeRange;
  /**
   * Caps on calls to one person (calls per calendar day / week / month), for the dispatcher to enforce:
   * the window functions do not count calls.
   */
  caps?: { perDay: number; perWeek: number; perMonth: number };
  /** The rule's legal source, shown to admins. */
  basis: string;
}

export const COMPLIANCE_PROFILE_IDS = ['ru_230fz'] as const;
export type ComplianceProfileId = (typeof COMPLIANCE_PROFILE_IDS)[number];
export const complianceProfileIdSchema = z.enum(COMPLIANCE_PROFILE_IDS);

export const COMPLIANCE_PROFILES: Readonly<Record<ComplianceProfileId, ComplianceProfile>> = {
  ru_230fz: {
    id: 'ru_230fz',
    country: 'RU',
    working: { from: '08:00', to: '22:00' },
    nonWorking: { from: '09:00', to: '20:00' },
    caps: { perDay: 1, perWeek: 2, perMonth: 8 },
    basis: '230-ФЗ, ст. 7 ч. 3 (debt collection: calls by the debtor’s local time)',
  },
};

/** One thing that must hold for a call: a window, a plain daily range (T8), or a compliance profile. */
export type WindowConstraint = CallingWindow | TimeRange | ComplianceProfile;
/** A constraint or several, all of which must hold. */
export type WindowSpec = WindowConstraint | readonly WindowConstraint[];

// How far ahead nextWindowOpening looks before answering "never", and how far windowClosesAt follows
// an open window: a year covers any weekly pattern plus every holiday season.
const HORIZON_MS = 400 * 86_400_000;
const FIRST_CHUNK_MS = 8 * 86_400_000;
const CHUNK_MS = 32 * 86_400_000;
const CLOSE_SCAN_MS = 4 * FIRST_CHUNK_MS;

/** Whether calls to the number are allowed at `now`. */
export function isWithinWindow(now: Date, spec: WindowSpec, zones: CallZones, calendar?: HolidayCalendar): boolean {
  return allowedAt(prepare(spec, zones, calendar), now.getTime());
}

/** The first instant ≥ now at which calls are allowed; null if none within a year (e.g. no days). */
export function nextWindowOpening(now: Date, spec: WindowSpec, zones: CallZones, calendar?: HolidayCalendar): Date | null {
  const p = prepare(spec, zones, calendar);
  if (p.never) return null;
  const t0 = now.getTime();
  for (let a = t0, size = FIRST_CHUNK_MS; a < t0 + HORIZON_MS; a += size, size = CHUNK_MS) {
    const first = open(p, a, a + size)[0];
    if (first) return new Date(Math.max(first.start, t0));
  }
  return null;
}

/**
 * When the open stretch containing `now` ends (the dispatcher dials numbers whose window closes soonest
 * first, as JAICP does). Null when `now` is outside the window, so a closed number can never sort
 * first. A window still open 32 days on (e.g. every day 00:00–24:00) reports that moment.
 */
export function windowClosesAt(now: Date, spec: WindowSpec, zones: CallZones, calendar?: HolidayCalendar): Date | null {
  const p = prepare(spec, zones, calendar);
  const t0 = now.getTime();
  if (!allowedAt(p, t0)) return null;
  let a = t0;
  while (a < t0 + CLOSE_SCAN_MS) {
    const b = a + FIRST_CHUNK_MS;
    const first = open(p, a, b)[0];
    if (!first || first.start > a) return new Date(a);
    if (first.end < b) return new Date(first.end);
    a = b;
  }
  return new Date(a);
}

/** The zones the window is evaluated on at `now` for this number, and the reason code to record. */
export function zonesInEffect(now: Date, spec: WindowSpec, zones: CallZones, calendar?: HolidayCalendar): ZonesInEffect {
  const p = prepare(spec, zones, calendar);
  const only = p.candidates[0];
  if (!only) return { zones: [p.campaign.name], reason: 'unknown_region' };
  if (p.candidates.length === 1) return { zones: [only.name], reason: 'callee_zone' };
  return dayDecision(p, now.getTime()).fallback
    ? { zones: [p.campaign.name], reason: 'zones_disjoint' }
    : { zones: p.candidates.map((z) => z.name), reason: 'callee_zones_all' };
}

interface Prepared {
  rules: DayRule[];
  /** Some constraint can never open (no days selected, an empty range). */
  never: boolean;
  candidates: IANAZone[];
  campaign: IANAZone;
}

function prepare(spec: WindowSpec, zones: CallZones, calendar: HolidayCalendar | undefined): Prepared {
  if (!isValidTimeZone(zones.campaignZone)) throw badRequest('validation.time_zone_unknown', { zone: zones.campaignZone });
  const list: readonly WindowConstraint[] = isConstraintList(spec) ? spec : [spec];
  const compiled = list.map((c) => compile(c, calendar));
  return {
    rules: compiled.map((c) => c.rule),
    never: compiled.some((c) => c.never),
    candidates: validZones(zones.candidates).map((name) => IANAZone.create(name)),
    campaign: IANAZone.create(zones.campaignZone),
  };
}

function isConstraintList(spec: WindowSpec): spec is readonly WindowConstraint[] {
  return Array.isArray(spec);
}

/** Whether t is allowed under the zone rule (see isWithinWindow). */
function allowedAt(p: Prepared, t: number): boolean {
  if (p.candidates.length <= 1) return allowedIn(p.candidates[0] ?? p.campaign, p.rules, t);
  if (p.candidates.every((z) => allowedIn(z, p.rules, t))) return true;
  return dayDecision(p, t).fallback && allowedIn(p.campaign, p.rules, t);
}

function allowedIn(zone: IANAZone, rules: readonly DayRule[], t: number): boolean {
  return rules.every((rule) => isOpenAt(zone, rule, t));
}

function openIn(zone: IANAZone, rules: readonly DayRule[], a: number, b: number): Interval[] {
  return rules.reduce<Interval[]>((acc, rule) => intersect(acc, openIntervals(zone, rule, a, b)), [{ start: a, end: b }]);
}

/**
 * Whether the campaign-local day containing t falls back to the campaign zone: only with several
 * candidates, and only when they share no open moment during that whole day.
 */
function dayDecision(p: Prepared, t: number): { fallback: boolean } {
  const day = localDays(p.campaign, t, t + 1).find((d) => d.pieces.some((x) => x.start <= t && t < x.end));
  if (!day) return { fallback: false };
  return { fallback: strictOpen(p, day.pieces).length === 0 };
}

function strictOpen(p: Prepared, pieces: readonly Interval[]): Interval[] {
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (!first || !last) return [];
  return p.candidates.reduce<Interval[]>((acc, z) => intersect(acc, openIn(z, p.rules, first.start, last.end)), [...pieces]);
}

/** Open spans within [a, b) under the zone rule, deciding the fallback per campaign-local day. */
function open(p: Prepared, a: number, b: number): Interval[] {
  if (p.candidates.length <= 1) return openIn(p.candidates[0] ?? p.campaign, p.rules, a, b);
  const days = localDays(p.campaign, a, b);
  const first = days[0]?.pieces[0];
  const last = days[days.length - 1]?.pieces.at(-1);
  if (!first || !last) return [];
  // Whole days, so each day's decision sees the whole day even when it straddles a or b.
  const lo = Math.min(first.start, a);
  const hi = Math.max(last.end, b);
  const strict = p.candidates.reduce<Interval[]>((acc, z) => intersect(acc, openIn(z, p.rules, lo, hi)), [{ start: lo, end: hi }]);
  let fallback: Interval[] | undefined;
  const out: Interval[] = [];
  for (const { pieces } of days) {
    const mine = intersect(strict, pieces);
    if (mine.length > 0) out.push(...mine);
    else out.push(...intersect((fallback ??= openIn(p.campaign, p.rules, lo, hi)), pieces));
  }
  return clip(union(out), a, b);
}

interface Compiled {
  rule: DayRule;
  never: boolean;
}

function compile(c: WindowConstraint, calendar: HolidayCalendar | undefined): Compiled {
  if ('days' in c) return compileWindow(c, calendar);
  if ('working' in c) {
    const cal = holidayCalendar(c.country);
    const working = rangesOf(c.working);
    const nonWorking = rangesOf(c.nonWorking);
    return { rule: (day) => (cal.dayKind(day.iso) === 'working' ? working : nonWorking), never: false };
  }
  const ranges = rangesOf(c);
  return { rule: () => ranges, never: ranges.length === 0 };
}

function compileWindow(w: CallingWindow, calendar: HolidayCalendar | undefined): Compiled {
  const cal = w.skipHolidays ? (calendar ?? (w.holidayCountry ? holidayCalendar(w.holidayCountry) : undefined)) : undefined;
  if (w.skipHolidays && !cal) throw badRequest('validation.window_holiday_country_required');
  const hours = rangesOf(w);
  const byDay = new Map<number, readonly DayRange[]>();
  for (const [key, range] of Object.entries(w.byWeekday ?? {})) byDay.set(Number(key), rangesOf(range));
  const days = new Set(w.days);
  const rule = (day: LocalDay): readonly DayRange[] => {
    if (!days.has(day.weekday)) return [];
    if (cal && isSpecialDayOff(cal.dayKind(day.iso))) return [];
    return byDay.get(day.weekday) ?? hours;
  };
  const never = [...days].every((d) => (byDay.get(d) ?? hours).length === 0);
  return { rule, never };
}

/** Wall-clock ranges of "from–to"; from > to runs past midnight into the next day. */
function rangesOf(r: TimeRange): DayRange[] {
  const from = minutesOf(r.from);
  const to = minutesOf(r.to);
  if (from === to) return [];
  return [{ start: from, end: from < to ? to : 1440 + to }];
}

function sameMinute(a: string, b: string): boolean {
  return isTimeOfDay(a, true) && isTimeOfDay(b, true) && minutesOf(a) === minutesOf(b);
}
