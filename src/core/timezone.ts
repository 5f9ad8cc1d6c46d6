import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ruMobileZones } from './calendar/ruDefZones.js';

/**
 * The callee's clock (J1 "use the callee's local time"). A number gives a list of candidate IANA
 * zones, not one: a US or Kazakh mobile range, a Russian range shared by regions, or a whole country
 * when nothing finer is known. Calling-window functions take the candidates together with the
 * campaign's own zone (`CallZones`) and apply the zone rule:
 *
 * - no candidate (region unknown, or the campaign does not use the callee's time) → the campaign zone;
 * - one candidate → that zone;
 * - several → a call is allowed only while the window holds in every one of them (never call someone
 *   at night because we guessed the wrong zone); on a day (campaign-local date) when they have no
 *   moment in common, that day falls back to the campaign zone and the reason says so.
 *
 * The data lookup (libphonenumber's number → zones table) is I/O and lives in src/engine/calleeZones.ts;
 * this module only refines and checks its answer.
 */

/** Why a number is dialled on the clock it is; stable codes (stored with attempts, shown in the console). */
export const ZONE_REASONS = [
  /** One known zone for the number. */
  'callee_zone',
  /** Several candidate zones; the window holds in all of them. */
  'callee_zones_all',
  /** No usable zone for the number: the campaign's zone is used. */
  'unknown_region',
  /** The candidates share no moment of the window that day: the campaign's zone is used. */
  'zones_disjoint',
] as const;
export type ZoneReason = (typeof ZONE_REASONS)[number];

/** The clocks a calling window is evaluated on, for one number. */
export interface CallZones {
  /**
   * Candidate IANA zones of the callee (from `calleeZoneCandidates`). Empty when unknown or when the
   * campaign does not use the callee's local time. Invalid names are ignored.
   */
  candidates: readonly string[];
  /** The campaign's own zone (an IANA name): the fallback. */
  campaignZone: string;
}

/** The zones in force at an instant, and why. */
export interface ZonesInEffect {
  /** The zones whose wall clocks the window must hold on (one, or all the candidates). */
  zones: string[];
  /** Why; record it with the attempt when it is 'unknown_region' or 'zones_disjoint'. */
  reason: ZoneReason;
}

/** Where a number's candidate zones came from. */
export type CalleeZoneSource =
  /** Russian mobile range → region, from the numbering register (src/core/calendar/ruDefZones.ts). */
  | 'ru_register'
  /** libphonenumber's geographic data (country, area code or mobile prefix). */
  | 'libphonenumber'
  /** Nothing usable: the campaign's zone will be used. */
  | 'none';

export interface CalleeZoneCandidates {
  /** Valid IANA zone names, without duplicates; empty when `source` is 'none'. */
  zones: string[];
  /** Which data gave them. */
  source: CalleeZoneSource;
}

const validity = new Map<string, boolean>();

/** Whether `name` is an IANA zone this runtime knows (memoised: luxon's check costs ~80 µs). */
export function isValidTimeZone(name: string): boolean {
  let ok = validity.get(name);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(name);
    if (validity.size < 10_000) validity.set(name, ok);
  }
  return ok;
}

/** Campaign and tenant settings naming a zone. */
export const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'validation.time_zone_unknown' });

/** Keeps valid zone names, once each, in their first order. */
export function validZones(names: readonly string[]): string[] {
  return [...new Set(names)].filter(isValidTimeZone);
}

/**
 * Candidate zones of an E.164 number, given what libphonenumber's data says (`geoZones`, null when it
 * knows nothing). Russian mobile numbers (+7 9xx) use the register table instead: libphonenumber puts
 * them all in Europe/Moscow, wrong for every region east of the Volga; a +7 9xx range the register
 * does not place (nationwide ranges) has no candidate rather than a false Moscow.
 */
export function calleeZoneCandidates(e164: string, geoZones: readonly string[] | null | undefined): CalleeZoneCandidates {
  if (/^\+79/.test(e164)) {
    const ru = validZones(ruMobileZones(e164) ?? []);
    return ru.length > 0 ? { zones: ru, source: 'ru_register' } : { zones: [], source: 'none' };
  }
  const geo = validZones(geoZones ?? []);
  return geo.length > 0 ? { zones: geo, source: 'libphonenumber' } : { zones: [], source: 'none' };
}
