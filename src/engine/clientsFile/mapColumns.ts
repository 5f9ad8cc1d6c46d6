import type { RawRecord } from './csvRows.js';
import { fileErrors } from './fileErrors.js';
import {
  isExternalIdHeader,
  isPhoneHeader,
  isReservedPhoneHeader,
  normalizeHeader,
  variableLookup,
} from './headerAliases.js';
import { checkCandidate, splitPhoneCell } from './phoneCells.js';
import type { ColumnMapping } from './options.js';
import type { ColumnInfo } from './types.js';

/** How the cells of every data row are to be read. */
export interface ColumnMap {
  /** Row 1 is a header, not a client. */
  headerRow: boolean;
  /** Columns the file has; a data row with non-empty cells beyond them is rejected. */
  width: number;
  columns: ColumnInfo[];
}

export interface MapColumnsOptions {
  country: string;
  maxColumns: number;
}

/** The cells without the empty ones at the end (Excel pads rows with ";;;"). */
export function usedCells(cells: readonly string[]): string[] {
  let end = cells.length;
  while (end > 0 && !(cells[end - 1] ?? '').trim()) end--;
  return cells.slice(0, end);
}

/** Whether a cell holds at least one valid phone number. */
export function cellHasPhone(cell: string, country: string): boolean {
  return splitPhoneCell(cell).some((c) => checkCandidate(c, country).ok);
}

/**
 * Reads the first rows of a file (blank and comment rows already left out) and decides whether
 * row 1 is a header and what each column is. A header row holds no phone number and either
 * names a phone column or consists of words. With a header, columns map by name onto the
 * scenario's variables (aliases included), the rest are kept under their own header; without
 * one, columns holding phones are phone columns and the others become `column<N>`, because
 * guessing which variable a nameless column is would put wrong words in the bot's mouth.
 */
export function mapColumns(sample: readonly RawRecord[], variables: readonly string[], opts: MapColumnsOptions): ColumnMap {
  const first = usedCells(sample[0]?.cells ?? []);
  const headerRow =
    first.length > 0 &&
    !first.some((c) => cellHasPhone(c, opts.country)) &&
    (first.some(isPhoneHeader) || first.filter((c) => c.trim()).every((c) => /\p{L}/u.test(c)));

  const data = headerRow ? sample.slice(1) : sample;
  const width = headerRow ? first.length : Math.max(0, ...data.map((r) => usedCells(r.cells).length));
  if (width > opts.maxColumns) throw fileErrors.tooManyColumns(width, opts.maxColumns);

  const phoneShare = (index: number) => {
    const cells = data.map((r) => (r.cells[index] ?? '').trim()).filter(Boolean);
    if (cells.length === 0) return 0;
    return cells.filter((c) => cellHasPhone(c, opts.country)).length / cells.length;
  };

  const columns = headerRow ? byHeader(first, variables) : byContent(width, phoneShare);
  if (!columns.some((c) => c.role === 'phone')) {
    // A header without a recognisable phone name: take the unnamed-for-us columns full of phones.
    for (const c of columns) {
      if (c.role === 'variable' && !c.known && phoneShare(c.index) >= 0.5) {
        c.role = 'phone';
        c.known = true;
        delete c.variable;
      }
    }
  }
  if (!columns.some((c) => c.role === 'phone')) throw fileErrors.noPhoneColumn(first.filter((c) => c.trim()));
  return { headerRow, width, columns };
}

function byHeader(headers: readonly string[], variables: readonly string[]): ColumnInfo[] {
  const { exact, alias } = variableLookup(variables);
  const taken = new Set<string>();
  const names = new Set<string>(variables);
  let externalId = false;
  return headers.map((raw, index): ColumnInfo => {
    // A header only names a column (it becomes a variable name): NUL, which cannot be stored, is dropped.
    const header = raw.replaceAll('\u0000', '').trim();
    const n = normalizeHeader(header);
    if (!header) return { index, header, role: 'ignored', known: false };
    if (isReservedPhoneHeader(header)) return { index, header, role: 'phone', known: true };
    const exactVar = exact.get(n);
    if (exactVar && !taken.has(exactVar)) {
      taken.add(exactVar);
      return { index, header, role: 'variable', variable: exactVar, known: true };
    }
    if (isPhoneHeader(header)) return { index, header, role: 'phone', known: true };
    if (!externalId && isExternalIdHeader(header)) {
      externalId = true;
      return { index, header, role: 'externalId', known: true };
    }
    const aliasVar = alias.get(n);
    if (aliasVar && !taken.has(aliasVar)) {
      taken.add(aliasVar);
      return { index, header, role: 'variable', variable: aliasVar, known: true };
    }
    const name = uniqueName(header, names);
    return { index, header, role: 'variable', variable: name, known: false };
  });
}

function byContent(width: number, phoneShare: (index: number) => number): ColumnInfo[] {
  const columns: ColumnInfo[] = [];
  for (let index = 0; index < Math.max(width, 1); index++) {
    columns.push(
      phoneShare(index) >= 0.5
        ? { index, header: '', role: 'phone', known: true }
        : { index, header: '', role: 'variable', variable: `column${index + 1}`, known: false },
    );
  }
  const first = columns[0];
  // Nothing looks like a phone: the first column is the phone, so each row reports why not.
  if (first && !columns.some((c) => c.role === 'phone')) {
    first.role = 'phone';
    first.known = true;
    delete first.variable;
  }
  return columns;
}

/** A variable name not used yet: a second "Город" column becomes "Город (2)". */
function uniqueName(header: string, names: Set<string>): string {
  let name = header;
  for (let i = 2; names.has(name); i++) name = `${header} (${i})`;
  names.add(name);
  return name;
}

/**
 * The automatic mapping with a person's choices applied (by column position). The phone column
 * still has to exist; a second external-id column is read as ignored (one id per client).
 */
export function applyColumnMapping(map: ColumnMap, mapping: readonly ColumnMapping[], variables: readonly string[], sampleHeaders: readonly string[]): ColumnMap {
  const columns = map.columns.map((c) => ({ ...c }));
  const declared = new Set(variables);
  for (const m of mapping) {
    const c = columns[m.index];
    if (!c) continue;
    c.role = m.role;
    if (m.role === 'variable') {
      c.variable = m.variable ?? c.variable ?? (c.header || `column${c.index + 1}`);
      c.known = declared.has(c.variable);
    } else {
      delete c.variable;
      c.known = m.role !== 'ignored';
    }
  }
  let idSeen = false;
  for (const c of columns) {
    if (c.role !== 'externalId') continue;
    if (idSeen) {
      c.role = 'ignored';
      c.known = false;
    }
    idSeen = true;
  }
  if (!columns.some((c) => c.role === 'phone')) throw fileErrors.noPhoneColumn(sampleHeaders.filter((h) => h.trim()));
  return { ...map, columns };
}
