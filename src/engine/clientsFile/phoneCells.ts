import { normalizePhone } from '../../core/phone.js';
import { ROW_REASON } from './fileErrors.js';
import type { IssueReason } from './types.js';

/** One number written in a phone cell, before normalisation. */
export interface PhoneCandidate {
  /** The text to normalise (an exponent form already expanded to digits). */
  value: string;
  /** As written in the cell, for error reports. */
  raw: string;
  /** Excel wrote the number in exponent form and dropped digits ("7,90012E+10"): unrecoverable. */
  lostDigits?: boolean;
}

// "7.9001234567E10" (the XML of a numeric cell), "7,9001234567E+10" (Russian Excel's CSV).
const EXPONENT = /^\+?(\d+)(?:[.,](\d+))?e\+?(\d{1,2})$/i;
// Some tools export numeric cells as "79001234567.0".
const TRAILING_ZEROS = /^(\+?\d{5,})[.,]0+$/;
// Separators between numbers in one cell: comma, semicolon, line break, or spaces before a "+".
// Plain spaces do not separate: "8 495 989 85 33" is one number.
const SEPARATORS = /[,;\n\r]+|\s+(?=\+)/;

/**
 * Splits a phone cell into the numbers written in it ("+7 900 000-00-01, +7 900 000-00-02",
 * "8 (495) 989-85-33; 8 800 333-75-33", "+7 900… +7 901…"), undoing Excel's number formatting.
 */
export function splitPhoneCell(cell: string): PhoneCandidate[] {
  const text = cell.trim();
  if (!text) return [];
  const exp = EXPONENT.exec(text);
  if (exp) return [expandExponent(text, exp[1] ?? '', exp[2] ?? '', Number(exp[3]))];
  const zeros = TRAILING_ZEROS.exec(text);
  if (zeros) return [{ value: zeros[1] ?? text, raw: text }];
  return text
    .split(SEPARATORS)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => ({ value: part, raw: part }));
}

/**
 * Digits of a number in exponent form, done on the string so nothing passes through a float.
 * When the mantissa has fewer digits than the number, Excel has already rounded the phone away.
 */
function expandExponent(raw: string, int: string, frac: string, exponent: number): PhoneCandidate {
  if (frac.length > exponent) return { value: raw, raw }; // not a whole number: the phone check rejects it
  const lostDigits = frac.length < exponent;
  return { value: int + frac + '0'.repeat(exponent - frac.length), raw, ...(lostDigits ? { lostDigits } : {}) };
}

/**
 * Normalises one candidate to E.164, or says why not: `phone.<reason>` from the core rules, or
 * the exponent-form loss. Reasons carry the value because the phone.* messages quote it.
 */
export function checkCandidate(
  candidate: PhoneCandidate,
  country: string,
): { ok: true; e164: string } | { ok: false; reason: IssueReason } {
  const params = { value: candidate.raw };
  if (candidate.lostDigits) return { ok: false, reason: { key: ROW_REASON.phoneExponent, params } };
  const result = normalizePhone(candidate.value, country);
  return result.ok ? { ok: true, e164: result.e164 } : { ok: false, reason: { key: `phone.${result.reason}`, params } };
}
