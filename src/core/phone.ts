import { getCountries, parsePhoneNumberWithError, ParseError, type CountryCode } from 'libphonenumber-js/max';

/**
 * E.164 normalisation for any country (T10) with libphonenumber's full metadata. National formats
 * work with the template's country: "8 (495) 989-85-33" with RU → "+74959898533".
 */
export const SUPPORTED_COUNTRIES: readonly string[] = getCountries();
const SUPPORTED_SET: ReadonlySet<string> = new Set(SUPPORTED_COUNTRIES);

export type PhoneRejection = 'empty' | 'not_a_number' | 'invalid_country' | 'too_short' | 'too_long' | 'invalid';

export type PhoneResult =
  | { ok: true; e164: string; country: string | undefined; type: string | undefined }
  | { ok: false; reason: PhoneRejection };

export function isSupportedCountry(code: string): code is CountryCode {
  return SUPPORTED_SET.has(code);
}

export function normalizePhone(raw: string, country: string | undefined): PhoneResult {
  const input = raw.trim();
  if (!input) return { ok: false, reason: 'empty' };
  // Extension markers may stay ("ext. 12", "доб. 12"); `\b` would not see a Cyrillic word start.
  if (/[a-zа-яё]/i.test(input.replace(/(?<!\p{L})(ext|доб)\.?/giu, ''))) return { ok: false, reason: 'not_a_number' };
  try {
    const parsed = parsePhoneNumberWithError(input, {
      defaultCountry: country && isSupportedCountry(country) ? country : undefined,
    });
    if (!parsed.isValid()) {
      const digits = parsed.nationalNumber.length;
      return { ok: false, reason: digits < 6 ? 'too_short' : 'invalid' };
    }
    return { ok: true, e164: parsed.number, country: parsed.country, type: parsed.getType() };
  } catch (e) {
    if (e instanceof ParseError) {
      switch (e.message) {
        case 'INVALID_COUNTRY':
          return { ok: false, reason: 'invalid_country' };
        case 'TOO_SHORT':
          return { ok: false, reason: 'too_short' };
        case 'NOT_A_NUMBER':
          return { ok: false, reason: 'not_a_number' };
        case 'TOO_LONG':
          return { ok: false, reason: 'too_long' };
      }
    }
    return { ok: false, reason: 'invalid' };
  }
}
