import { fileErrors } from './fileErrors.js';

/** Bytes to look at before deciding what a file is. */
export const SNIFF_BYTES = 8192;

export type SniffedFormat = { kind: 'xlsx' } | { kind: 'text'; format: 'csv' | 'txt' };

export interface FormatHints {
  filename?: string | undefined;
  contentType?: string | undefined;
}

// Magic numbers of files people upload by mistake instead of a list of clients.
const MAGIC: ReadonlyArray<[string, number[]]> = [
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['pdf', [0x25, 0x50, 0x44, 0x46]],
  ['gzip', [0x1f, 0x8b]],
  ['rar', [0x52, 0x61, 0x72, 0x21]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf]],
  ['wav', [0x52, 0x49, 0x46, 0x46]],
  ['mp3', [0x49, 0x44, 0x33]],
];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const startsWith = (head: Buffer, magic: readonly number[]) =>
  head.length >= magic.length && magic.every((b, i) => head[i] === b);

/**
 * Decides what a clients file is from its first bytes; the name and content type only choose
 * between CSV and TXT, because browsers and users mislabel files (a CSV named .xlsx, an XLSX sent
 * as application/octet-stream). Throws a `DomainError` for anything that is neither.
 */
export function sniffFormat(head: Buffer, hints: FormatHints = {}): SniffedFormat {
  if (head.length === 0) throw fileErrors.empty();
  // Any zip goes to the XLSX reader, which tells a workbook from a .docx or an .ods.
  if (startsWith(head, ZIP) || startsWith(head, EMPTY_ZIP)) return { kind: 'xlsx' };
  if (startsWith(head, OLE)) throw fileErrors.legacyXls();
  for (const [name, magic] of MAGIC) if (startsWith(head, magic)) throw fileErrors.unsupported(name);

  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16 && looksBinary(head)) throw fileErrors.unsupported('binary');

  const text = utf16 ? '' : head.subarray(0, 256).toString('latin1').replace(/^\xef\xbb\xbf/, '').trimStart();
  // CRM "Excel" exports are often HTML or XML Spreadsheet 2003 saved with an .xls name.
  if (text.startsWith('<')) throw fileErrors.unsupported('xml');

  return { kind: 'text', format: isTxt(hints) ? 'txt' : 'csv' };
}

/**
 * Many control characters (NUL among them): no CSV, TXT or cp1251 text has those. A stray NUL in a
 * cell is not enough — that row is refused with its reason (rowToClient), the rest imported.
 */
function looksBinary(head: Buffer): boolean {
  let control = 0;
  let nul = 0;
  for (const b of head) {
    if (b === 0) nul++;
    // Tab, LF, VT, FF, CR and the DOS end-of-file mark are fine in text.
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a) control++;
  }
  // UTF-16 without a BOM has a NUL in every other byte, binary formats many; a typo a few.
  return nul > Math.max(8, head.length / 20) || control > head.length / 100;
}

function isTxt({ filename, contentType }: FormatHints): boolean {
  if (filename && /\.txt$/i.test(filename)) return true;
  if (filename && /\.(csv|tsv)$/i.test(filename)) return false;
  return !!contentType && /^text\/plain\b/i.test(contentType);
}
