import { checkCandidate, splitPhoneCell } from './phoneCells.js';
import type { RowIssue } from './types.js';

/** Numbers typed by hand, normalised. */
export interface ManualNumbers {
  /** Valid numbers in E.164, in the order typed, without duplicates. */
  phones: string[];
  /** Rejected entries; `rowNumber` is the line of the text they were on. */
  errors: RowIssue[];
  /** Entries dropped because the same number was typed earlier. */
  duplicates: number;
}

/**
 * Numbers typed into a text box (V5 "add by hand"): one per line, or several on a line separated
 * by commas, semicolons or spaces before a "+", in any national format of `country`.
 */
export function parseManualNumbers(text: string, country: string): ManualNumbers {
  const out: ManualNumbers = { phones: [], errors: [], duplicates: 0 };
  const seen = new Set<string>();
  text.split(/\r\n|\n|\r/).forEach((line, i) => {
    for (const candidate of splitPhoneCell(line)) {
      const result = checkCandidate(candidate, country);
      if (!result.ok) out.errors.push({ rowNumber: i + 1, value: candidate.raw, reason: result.reason });
      else if (seen.has(result.e164)) out.duplicates++;
      else {
        seen.add(result.e164);
        out.phones.push(result.e164);
      }
    }
  });
  return out;
}
