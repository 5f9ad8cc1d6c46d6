import { describe, expect, it } from 'vitest';
import { isSupportedCountry, normalizePhone, SUPPORTED_COUNTRIES, type PhoneRejection } from '../../../src/core/phone.js';

describe('normalizePhone', () => {
  describe('Russian numbers from the seed, with the template country RU', () => {
    it.each([
      ['8 (495) 989-85-33', '+74959898533', 'a national number with the trunk prefix 8, brackets and dashes'],
      ['84959898533', '+74959898533', 'the same number as bare digits'],
      ['+7 900 000-00-04', '+79000000004', 'an international number with spaces and dashes'],
      ['89000000004', '+79000000004', 'a mobile number with the trunk prefix'],
      ['9161234567', '+79161234567', 'ten digits without any prefix'],
      ['7 916 123-45-67', '+79161234567', 'the country code without a plus'],
      ['  +7 (495) 989 85 33  ', '+74959898533', 'surrounding whitespace'],
      ['8 800 555-35-35', '+78005553535', 'a toll-free number'],
    ])('%s normalises to %s (%s)', (raw, e164) => {
      const r = normalizePhone(raw, 'RU');
      expect(r).toMatchObject({ ok: true, e164, country: 'RU' });
    });

    it('a national number with a trunk prefix normalises to E.164 and reports its type', () => {
      expect(normalizePhone('8 (495) 989-85-33', 'RU')).toEqual({ ok: true, e164: '+74959898533', country: 'RU', type: 'FIXED_LINE' });
      expect(normalizePhone('+7 900 000-00-04', 'RU')).toEqual({ ok: true, e164: '+79000000004', country: 'RU', type: 'MOBILE' });
    });

    it('an extension after the number is allowed in English and in Russian, and dropped from E.164', () => {
      expect(normalizePhone('+7 495 989 85 33 ext. 12', 'RU')).toMatchObject({ ok: true, e164: '+74959898533' });
      expect(normalizePhone('+7 495 989 85 33 доб. 12', 'RU')).toMatchObject({ ok: true, e164: '+74959898533' });
      expect(normalizePhone('8 (495) 989-85-33 доб 12', 'RU')).toMatchObject({ ok: true, e164: '+74959898533' });
    });

    it('a foreign number written with + keeps its own country whatever the template says', () => {
      expect(normalizePhone('+44 20 7946 0958', 'RU')).toMatchObject({ ok: true, e164: '+442079460958', country: 'GB' });
      expect(normalizePhone('+380 44 123 4567', 'RU')).toMatchObject({ ok: true, e164: '+380441234567', country: 'UA' });
    });

    it('the Russian international prefix 8 10 dials abroad', () => {
      expect(normalizePhone('8 10 44 20 7946 0958', 'RU')).toMatchObject({ ok: true, e164: '+442079460958', country: 'GB' });
    });
  });

  describe('other countries (T10: any country, not only Russia)', () => {
    it.each([
      ['(201) 555-0123', 'US', '+12015550123'],
      ['020 7946 0958', 'GB', '+442079460958'],
      ['030 123456', 'DE', '+4930123456'],
      ['8 701 123 4567', 'KZ', '+77011234567'],
    ])('%s with %s normalises to %s', (raw, country, e164) => {
      expect(normalizePhone(raw, country)).toMatchObject({ ok: true, e164, country });
    });

    it('the same national digits mean different numbers in different countries', () => {
      expect(normalizePhone('8 (495) 989-85-33', 'RU')).toMatchObject({ ok: true });
      expect(normalizePhone('8 (495) 989-85-33', 'US')).toEqual({ ok: false, reason: 'invalid' });
    });

    it('an international number needs no country at all', () => {
      expect(normalizePhone('+1 201 555 0123', undefined)).toMatchObject({ ok: true, e164: '+12015550123', country: 'US' });
      expect(normalizePhone('+7 900 000-00-04', undefined)).toMatchObject({ ok: true, e164: '+79000000004' });
    });
  });

  describe('rejections say why', () => {
    const cases: [string, string | undefined, PhoneRejection, string][] = [
      ['', 'RU', 'empty', 'an empty string'],
      ['   ', 'RU', 'empty', 'only whitespace'],
      ['hello', 'RU', 'not_a_number', 'Latin letters'],
      ['звоните вечером', 'RU', 'not_a_number', 'Cyrillic letters'],
      ['+7 (495) 989-85-33 x12', 'RU', 'not_a_number', 'an unknown extension marker'],
      ['++79161234567', 'RU', 'not_a_number', 'a doubled plus'],
      ['123', 'RU', 'too_short', 'three digits'],
      ['12345', 'RU', 'too_short', 'five digits'],
      ['+7', 'RU', 'too_short', 'a bare country code'],
      ['12345678901234567890', 'RU', 'too_long', 'twenty digits'],
      ['+7 495 989 85 33 3333333333', 'RU', 'too_long', 'a number with garbage appended'],
      ['1234567', 'RU', 'invalid', 'digits that are no Russian number'],
      ['+7 123 456 78 90', 'RU', 'invalid', 'a Russian number with an impossible area code'],
      ['8 (495) 989-85-33', undefined, 'invalid_country', 'a national number without a country'],
      ['84959898533', 'XX', 'invalid_country', 'a national number with an unknown country'],
      ['+999 123 456', 'RU', 'invalid_country', 'a country calling code that does not exist'],
    ];
    it.each(cases)('%j with %s is rejected as %s (%s)', (raw, country, reason) => {
      expect(normalizePhone(raw, country)).toEqual({ ok: false, reason });
    });
  });

  it('a lowercase country code is not a country (the template upper-cases it before)', () => {
    expect(isSupportedCountry('RU')).toBe(true);
    expect(isSupportedCountry('ru')).toBe(false);
    expect(normalizePhone('84959898533', 'ru')).toEqual({ ok: false, reason: 'invalid_country' });
  });

  it('every country libphonenumber knows is supported', () => {
    expect(SUPPORTED_COUNTRIES.length).toBeGreaterThan(200);
    for (const c of ['RU', 'KZ', 'BY', 'UZ', 'US', 'GB', 'DE']) expect(isSupportedCountry(c), c).toBe(true);
    expect(isSupportedCountry('XX')).toBe(false);
  });
});
