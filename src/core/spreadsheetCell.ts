/**
 * Text for a cell of a CSV file that a spreadsheet opens: one starting with `=`, `+`, `-` or `@`
 * (also after leading spaces), a tab or a carriage return would be run as a formula by Excel,
 * LibreOffice or Google Sheets — and a formula can fetch URLs or start programs (CSV injection,
 * OWASP). Such a cell gets a leading apostrophe, which the spreadsheet shows as plain text.
 *
 * A plain number is left alone ("+79001234567", "-5", "1.5"): read as a number it cannot call
 * anything, and a phone in E.164 keeps its form in the export.
 */
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}
