import type { RawRecord } from '../csvRows.js';
import { fileErrors } from '../fileErrors.js';
import { feed, makeParser, attr, MAX_CELL_CHARS, type WorkbookParts } from './workbook.js';
import type { XlsxZip } from './xlsxZip.js';

/**
 * The rows of a sheet as text cells, streamed: the sheet's XML is parsed while it inflates and
 * rows leave as they are read, so memory holds a chunk's rows, never the sheet, and the caller can
 * stop at its row limit without reading further. Cells keep what the file stores: numbers exactly
 * as written (a phone typed as the number 79001234567 stays "79001234567"), shared and inline
 * strings, booleans as true/false, date-formatted numbers as ISO dates. A row or column beyond
 * Excel's own grid, or a cell longer than Excel allows, is not a spreadsheet but an attack.
 */
export const MAX_SHEET_ROWS = 1_048_576;
export const MAX_SHEET_COLUMNS = 16_384;

export async function* sheetRecords(zip: XlsxZip, parts: WorkbookParts): AsyncGenerator<RawRecord> {
  const ready: RawRecord[] = [];
  let lastRow = 0;
  let row: string[] | undefined;
  let rowNumber = 0;
  let lastCol = -1;
  // The cell being read.
  let col = 0;
  let type = '';
  let style = -1;
  let value: string[] = [];
  let inline: string[] = [];
  let length = 0;
  let where: 'v' | 'inline' | undefined;
  let inIs = false;
  let inPhonetic = false;

  const parser = makeParser({
    open(tag) {
      switch (tag.local) {
        case 'row': {
          const r = Number(attr(tag, 'r') ?? NaN);
          rowNumber = Number.isInteger(r) && r > lastRow ? r : lastRow + 1;
          if (rowNumber > MAX_SHEET_ROWS) throw fileErrors.invalidXlsx();
          // Rows the file leaves out are blank rows of the sheet: numbered as a spreadsheet shows them.
          for (let n = lastRow + 1; n < rowNumber; n++) ready.push({ rowNumber: n, cells: [] });
          lastRow = rowNumber;
          row = [];
          lastCol = -1;
          return;
        }
        case 'c': {
          const ref = attr(tag, 'r');
          col = ref ? columnIndex(ref) : lastCol + 1;
          if (col < 0 || col >= MAX_SHEET_COLUMNS) throw fileErrors.invalidXlsx();
          lastCol = col;
          type = attr(tag, 't') ?? 'n';
          style = Number(attr(tag, 's') ?? -1);
          value = [];
          inline = [];
          length = 0;
          return;
        }
        case 'v':
          where = 'v';
          return;
        case 'is':
          inIs = true;
          return;
        case 't':
          if (inIs && !inPhonetic) where = 'inline';
          return;
        case 'rPh':
          inPhonetic = true;
          return;
      }
    },
    close(tag) {
      switch (tag.local) {
        case 'v':
        case 't':
          where = undefined;
          return;
        case 'is':
          inIs = false;
          return;
        case 'rPh':
          inPhonetic = false;
          return;
        case 'c':
          if (!row) return;
          for (let i = row.length; i < col; i++) row.push('');
          row[col] = cellValue(parts, type, style, value.join(''), inline.join(''));
          return;
        case 'row':
          if (row) ready.push({ rowNumber, cells: row });
          row = undefined;
          return;
      }
    },
    text(text) {
      if (!where) return;
      length += text.length;
      if (length > MAX_CELL_CHARS) throw fileErrors.xlsxCellTooLong(MAX_CELL_CHARS);
      (where === 'v' ? value : inline).push(text);
    },
  });

  for await (const chunk of zip.chunks(parts.sheetPath)) {
    feed(parser, chunk);
    if (ready.length) yield* ready.splice(0);
  }
  feed(parser, null);
  if (ready.length) yield* ready.splice(0);
}

/** `B7` → 1; letters beyond three (past XFD) give a number the caller refuses. */
function columnIndex(ref: string): number {
  const letters = /^[A-Za-z]{1,4}/.exec(ref)?.[0];
  if (!letters) return -1;
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function cellValue(parts: WorkbookParts, type: string, style: number, v: string, inline: string): string {
  switch (type) {
    case 's':
      return parts.sharedStrings[Number(v)] ?? '';
    case 'inlineStr':
      return inline;
    case 'str':
    case 'e':
      return v;
    case 'b':
      return v.trim() === '1' || v.trim().toLowerCase() === 'true' ? 'true' : 'false';
    case 'd': {
      // ISO 8601 without a zone is wall-clock time, as everywhere else in a workbook.
      const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
      return Number.isNaN(d.getTime()) ? v : cellText(d);
    }
    default: {
      if (v === '' || !parts.dateStyles.has(style)) return v;
      const serial = Number(v);
      return Number.isFinite(serial) ? cellText(excelDate(serial, parts.date1904)) : v;
    }
  }
}

/** A date serial as wall-clock time in UTC fields (workbooks carry no time zone). */
function excelDate(serial: number, date1904: boolean): Date {
  // 1900 system: serial 1 is 1900-01-01, and Excel counts a 29 February 1900 that never was.
  const days = date1904 ? serial - 24_107 : serial - (serial < 60 ? 25_568 : 25_569);
  return new Date(Math.round(days * 86_400) * 1000);
}

/** Text of one cell value: dates as ISO (`2024-01-15`, `2024-01-15 13:30`), booleans as true/false. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return isoDate(value);
  return String(value);
}

function isoDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  const date = iso.slice(0, 10);
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return date;
  return `${date} ${d.getUTCSeconds() ? iso.slice(11, 19) : iso.slice(11, 16)}`;
}
