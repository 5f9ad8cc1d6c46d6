import { readSheet, SheetNotFoundError } from 'read-excel-file/node';
import { fileErrors } from './fileErrors.js';
import type { RawRecord } from './csvRows.js';

/**
 * Rows of the first sheet of an XLSX workbook as text cells. The workbook is read whole (a zip
 * cannot be streamed row by row with read-excel-file); its size is capped by the caller.
 * Numbers arrive exactly as stored (`parseNumber` keeps the XML text), so a phone typed as the
 * number 79001234567 stays "79001234567" rather than passing through a float.
 */
export async function xlsxRecords(workbook: Buffer): Promise<RawRecord[]> {
  let data: unknown[][];
  try {
    data = (await readSheet(workbook, 1, { parseNumber: (s: string) => s })) as unknown[][];
  } catch (e) {
    // Whatever the reader chokes on came from the uploaded file, not from our code.
    throw e instanceof SheetNotFoundError ? fileErrors.noSheets() : fileErrors.invalidXlsx();
  }
  return data.map((row, i) => ({ rowNumber: i + 1, cells: row.map(cellText) }));
}

/** Text of one cell: dates as ISO (`2024-01-15`, `2024-01-15 13:30`), booleans as true/false. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return isoDate(value);
  return String(value);
}

// Excel dates carry no time zone; read-excel-file puts the wall-clock time into UTC fields.
function isoDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  const date = iso.slice(0, 10);
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return date;
  return `${date} ${d.getUTCSeconds() ? iso.slice(11, 19) : iso.slice(11, 16)}`;
}
