import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { fileErrors } from '../fileErrors.js';
import { resolvePart, type XlsxZip } from './xlsxZip.js';

/**
 * What is needed around the first sheet of a workbook before its rows can be read: where that
 * sheet is, which cell styles are dates (and in which date system), and the shared strings.
 * All parsed with saxes (a streaming XML parser: linear in the input, no entity expansion).
 */
export interface WorkbookParts {
  /** Part name of the first sheet, in workbook order. */
  sheetPath: string;
  /** Dates are counted from 1904 (old Mac Excel) instead of 1900. */
  date1904: boolean;
  /** Indexes into cellXfs whose number format shows a date or a time. */
  dateStyles: ReadonlySet<number>;
  sharedStrings: readonly string[];
}

/** Excel's own limit of characters in one cell: anything longer was not written by a spreadsheet. */
export const MAX_CELL_CHARS = 32_767;

const REL_TYPE = (t: string) => (rel: { type: string }) => rel.type.endsWith(`/${t}`);

export async function readWorkbookParts(zip: XlsxZip): Promise<WorkbookParts> {
  const rootRels = await relationships(zip, '_rels/.rels', '');
  const workbookPath = rootRels.find(REL_TYPE('officeDocument'))?.target ?? 'xl/workbook.xml';
  const workbookXml = await zip.text(workbookPath);
  // A zip that is not a workbook (a .docx, an .ods, an archive of something else).
  if (workbookXml === undefined) throw fileErrors.invalidXlsx();
  let firstSheetRel: string | undefined;
  let date1904 = false;
  parseXml(workbookXml, {
    open(tag) {
      if (tag.local === 'sheet' && firstSheetRel === undefined) firstSheetRel = attr(tag, 'id');
      if (tag.local === 'workbookPr') date1904 = ['1', 'true'].includes(attr(tag, 'date1904') ?? '');
    },
  });
  if (!firstSheetRel) throw fileErrors.noSheets();
  const rels = await relationships(zip, relsPathOf(workbookPath), workbookPath);
  const sheetPath = rels.find((r) => r.id === firstSheetRel)?.target;
  if (!sheetPath || !zip.has(sheetPath)) throw fileErrors.noSheets();
  const stylesPath = rels.find(REL_TYPE('styles'))?.target ?? resolvePart(workbookPath, 'styles.xml');
  const stringsPath = rels.find(REL_TYPE('sharedStrings'))?.target ?? resolvePart(workbookPath, 'sharedStrings.xml');
  return { sheetPath, date1904, dateStyles: await dateStyles(zip, stylesPath), sharedStrings: await sharedStrings(zip, stringsPath) };
}

interface Relationship {
  id: string;
  type: string;
  target: string;
}

async function relationships(zip: XlsxZip, path: string, owner: string): Promise<Relationship[]> {
  const xml = await zip.text(path);
  if (xml === undefined) return [];
  const out: Relationship[] = [];
  parseXml(xml, {
    open(tag) {
      if (tag.local !== 'Relationship' || attr(tag, 'TargetMode') === 'External') return;
      const target = attr(tag, 'Target');
      if (target) out.push({ id: attr(tag, 'Id') ?? '', type: attr(tag, 'Type') ?? '', target: resolvePart(owner, target) });
    },
  });
  return out;
}

function relsPathOf(part: string): string {
  const i = part.lastIndexOf('/');
  return `${part.slice(0, i + 1)}_rels/${part.slice(i + 1)}.rels`;
}

// Built-in number formats that show dates or times (ECMA-376 §18.8.30, and the CJK locales').
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

async function dateStyles(zip: XlsxZip, path: string): Promise<Set<number>> {
  const xml = await zip.text(path);
  const out = new Set<number>();
  if (xml === undefined) return out;
  const custom = new Map<number, string>();
  let inCellXfs = false;
  let index = 0;
  parseXml(xml, {
    open(tag) {
      if (tag.local === 'numFmt') custom.set(Number(attr(tag, 'numFmtId')), attr(tag, 'formatCode') ?? '');
      else if (tag.local === 'cellXfs') inCellXfs = true;
      else if (tag.local === 'xf' && inCellXfs) {
        const id = Number(attr(tag, 'numFmtId') ?? 0);
        if (BUILT_IN_DATE_FORMATS.has(id) || (custom.has(id) && isDateFormat(custom.get(id)!))) out.add(index);
        index++;
      }
    },
    close(tag) {
      if (tag.local === 'cellXfs') inCellXfs = false;
    },
  });
  return out;
}

/** A number format that shows a date or time: d, m, y, h, s tokens and no digit placeholders. */
export function isDateFormat(code: string): boolean {
  const first = code.split(';')[0] ?? '';
  const bare = first
    .replace(/"[^"]*"/g, '') // quoted literals
    .replace(/\\./g, '') // escaped characters
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, '') // colours and locales, but not elapsed time [h] [mm] [ss]
    .toLowerCase();
  if (/[0#?%]/.test(bare.replace(/\[[hms]+\]/g, '').replace(/s\.0+/g, 's'))) return false;
  return /[dmyhse]/.test(bare.replace(/general/g, ''));
}

async function sharedStrings(zip: XlsxZip, path: string): Promise<string[]> {
  if (!zip.has(path)) return [];
  const out: string[] = [];
  const parser = textCollector((text) => out.push(text), 'si');
  for await (const chunk of zip.chunks(path)) parser.write(chunk);
  parser.close();
  return out;
}

/**
 * Collects the text of each `item` element (`si` in shared strings, `is` in a cell): its `t`
 * elements, rich-text runs included, phonetic hints (`rPh`) left out — and refuses text longer
 * than a cell can hold.
 */
export function textCollector(onItem: (text: string) => void, item: string): { write(chunk: string): void; close(): void } {
  let inItem = false;
  let inT = false;
  let inPhonetic = false;
  let parts: string[] = [];
  let length = 0;
  const add = (text: string) => {
    if (!inItem || !inT || inPhonetic) return;
    length += text.length;
    if (length > MAX_CELL_CHARS) throw fileErrors.xlsxCellTooLong(MAX_CELL_CHARS);
    parts.push(text);
  };
  const parser = makeParser({
    open(tag) {
      if (tag.local === item) {
        inItem = true;
        parts = [];
        length = 0;
      } else if (tag.local === 't') inT = true;
      else if (tag.local === 'rPh') inPhonetic = true;
    },
    close(tag) {
      if (tag.local === item) {
        inItem = false;
        onItem(parts.join(''));
      } else if (tag.local === 't') inT = false;
      else if (tag.local === 'rPh') inPhonetic = false;
    },
    text: add,
  });
  return { write: (chunk) => feed(parser, chunk), close: () => feed(parser, null) };
}

// --- saxes plumbing ------------------------------------------------------------------------

export interface Tag {
  /** Name without its namespace prefix (`x:row` → `row`). */
  local: string;
  attributes: Record<string, string>;
}

export interface XmlHandlers {
  open?(tag: Tag): void;
  close?(tag: Tag): void;
  text?(text: string): void;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

export function makeParser(h: XmlHandlers): SaxesParser {
  const parser = new SaxesParser({ xmlns: false });
  const wrap = (tag: SaxesTagPlain): Tag => ({ local: localName(tag.name), attributes: tag.attributes as Record<string, string> });
  if (h.open) parser.on('opentag', (tag) => h.open!(wrap(tag)));
  if (h.close) parser.on('closetag', (tag) => h.close!(wrap(tag)));
  if (h.text) {
    parser.on('text', (t) => h.text!(t));
    parser.on('cdata', (t) => h.text!(t));
  }
  return parser;
}

/** Writes to the parser; an XML syntax error is a broken workbook, our own refusals pass through. */
export function feed(parser: SaxesParser, chunk: string | null): void {
  try {
    if (chunk === null) parser.close();
    else parser.write(chunk);
  } catch (e) {
    throw e instanceof Error && e.name === 'DomainError' ? e : fileErrors.invalidXlsx();
  }
}

function parseXml(xml: string, h: XmlHandlers): void {
  const parser = makeParser(h);
  feed(parser, xml);
  feed(parser, null);
}

/** An attribute by local name (`r:id` and `id` both answer to `id`). */
export function attr(tag: Tag, name: string): string | undefined {
  if (name in tag.attributes) return tag.attributes[name];
  for (const [k, v] of Object.entries(tag.attributes)) if (localName(k) === name) return v;
  return undefined;
}
