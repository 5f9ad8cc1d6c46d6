import { ByteSource, type ClientsFileInput } from './byteSource.js';
import { csvRecords, sniffDelimiter, type RawRecord } from './csvRows.js';
import { decodeText } from './decodeText.js';
import { fileErrors } from './fileErrors.js';
import { applyColumnMapping, mapColumns, usedCells, type ColumnMap } from './mapColumns.js';
import type { ResolvedClientsFileOptions } from './options.js';
import { makeRowToClient } from './rowToClient.js';
import { SNIFF_BYTES, sniffFormat } from './sniffFormat.js';
import type { ClientsFileBatch, ClientsFileMeta, ClientsFileStats } from './types.js';
import { xlsxRecords } from './xlsxRows.js';

// Decoded text the delimiter is guessed from: dozens of rows of any real file.
const DELIMITER_SAMPLE_CHARS = 64 * 1024;
// Rows the header and the phone columns are judged from.
const SAMPLE_ROWS = 20;
// Data rows shown as written in `meta.sample`.
const PREVIEW_ROWS = 10;

/** An open clients file: what it is, then its rows batch by batch (iterate once). */
export interface ClientsFileReader extends AsyncIterable<ClientsFileBatch> {
  readonly meta: ClientsFileMeta;
  /** Running totals, final when iteration ends. */
  readonly stats: ClientsFileStats;
  /** Releases the input when the rows will not be read (e.g. after showing `meta` only). */
  close(): Promise<void>;
}

/** A row starting with "# " in its first cell: the template's description and example rows. */
export function isCommentRow(cells: readonly string[]): boolean {
  return /^#\s/.test((cells[0] ?? '').trimStart());
}

const isBlank = (cells: readonly string[]) => usedCells(cells).length === 0;

/**
 * The parsing pipeline itself, in the calling thread: imports run it in a worker thread through
 * `openClientsFile` (parseClientsFile.ts); the worker calls this.
 *
 * Opens a clients file (CSV, TXT or XLSX; V5, T2) and reads far enough to know its format,
 * encoding, delimiter, header and columns. Text files are then streamed: memory stays bounded
 * by the batch size plus the set of numbers seen (for duplicates), whatever the file size.
 * Whole-file problems (not a spreadsheet, no phone column, too many rows) are `DomainError`s
 * with `clientsFile.errors.*` keys, thrown here or while iterating; row problems are data.
 */
export async function openClientsFileHere(input: ClientsFileInput, opts: ResolvedClientsFileOptions): Promise<ClientsFileReader> {
  const source = new ByteSource(input);
  let records: AsyncIterator<RawRecord> | undefined;
  // Ends every stage of the pipeline and the input, when done early, failed or closed.
  const release = async () => {
    await records?.return?.();
    await source.close();
  };

  let meta: ClientsFileMeta;
  // The first rows decide the header and columns; they are kept and replayed as data.
  const sample: RawRecord[] = [];
  let skippedBefore = 0;
  let map: ColumnMap;
  try {
    const sniffed = sniffFormat(await source.peek(SNIFF_BYTES), opts);
    meta = {
      format: sniffed.kind === 'xlsx' ? 'xlsx' : sniffed.format,
      headerRow: false,
      columns: [],
      phoneColumns: [],
      unknownColumns: [],
      missingVariables: [],
    };
    if (sniffed.kind === 'xlsx') {
      const workbook = await source.readAll(opts.maxXlsxBytes, () => fileErrors.xlsxTooLarge(opts.maxXlsxBytes));
      records = xlsxRecords(workbook, { maxUnzippedBytes: opts.maxUnzippedBytes })[Symbol.asyncIterator]();
    } else {
      const textMeta = meta;
      textMeta.encoding = 'utf-8';
      const text = decodeText(source.read(), (encoding) => (textMeta.encoding = encoding));
      const { sample: head, rest } = await takeText(text, DELIMITER_SAMPLE_CHARS);
      meta.delimiter = sniffDelimiter(head);
      records = csvRecords(prepend(head, rest), meta.delimiter)[Symbol.asyncIterator]();
    }
    while (sample.length < SAMPLE_ROWS) {
      const next = await records.next();
      if (next.done) break;
      if (isBlank(next.value.cells) || isCommentRow(next.value.cells)) skippedBefore++;
      else sample.push(next.value);
    }
    if (sample.length === 0) throw fileErrors.empty();
    map = mapColumns(sample, opts.variables, opts);
    if (opts.columns?.length) map = applyColumnMapping(map, opts.columns, opts.variables, usedCells(sample[0]?.cells ?? []));
  } catch (e) {
    await release();
    throw e;
  }

  meta.headerRow = map.headerRow;
  meta.columns = map.columns;
  // The first rows as written (the header too), for a preview in which a person checks the mapping.
  meta.sample = sample.slice(0, PREVIEW_ROWS + (map.headerRow ? 1 : 0)).map((r) => ({ rowNumber: r.rowNumber, cells: usedCells(r.cells).map((c) => c.slice(0, 500)) }));
  const label = (i: number) => map.columns[i]?.header || `column${i + 1}`;
  meta.phoneColumns = map.columns.filter((c) => c.role === 'phone').map((c) => label(c.index));
  meta.unknownColumns = map.columns.filter((c) => c.role === 'variable' && !c.known).map((c) => c.variable ?? '');
  const provided = new Set(map.columns.map((c) => c.variable));
  meta.missingVariables = opts.variables.filter((v) => !provided.has(v));

  const stats: ClientsFileStats = {
    dataRows: 0,
    validRows: 0,
    errorRows: 0,
    duplicateRows: 0,
    duplicatePhones: 0,
    invalidPhonesInValidRows: 0,
    skippedRows: skippedBefore,
    phones: 0,
  };
  let started = false;
  const batches = readBatches(map.headerRow ? sample.slice(1) : sample, records, map, opts, stats, release);

  return {
    meta,
    stats,
    close: release,
    [Symbol.asyncIterator]() {
      if (started) throw new Error('a ClientsFileReader can be iterated once');
      started = true;
      return batches;
    },
  };
}

async function* readBatches(
  sample: RawRecord[],
  rest: AsyncIterator<RawRecord>,
  map: ColumnMap,
  opts: ResolvedClientsFileOptions,
  stats: ClientsFileStats,
  release: () => Promise<void>,
): AsyncGenerator<ClientsFileBatch> {
  const toClient = makeRowToClient(map, opts);
  let batch: ClientsFileBatch = { rows: [], errors: [], warnings: [] };
  let inBatch = 0;

  const take = (record: RawRecord) => {
    if (isBlank(record.cells) || isCommentRow(record.cells)) {
      stats.skippedRows++;
      return;
    }
    if (++stats.dataRows > opts.maxRows) throw fileErrors.tooManyRows(opts.maxRows);
    const outcome = toClient(record);
    inBatch++;
    stats.duplicatePhones += outcome.duplicatePhones;
    if (outcome.warnings.length) batch.warnings.push(...outcome.warnings);
    if (outcome.row) {
      batch.rows.push(outcome.row);
      stats.validRows++;
      stats.phones += outcome.row.phones.length;
      stats.invalidPhonesInValidRows += outcome.invalidPhones;
    } else if (outcome.duplicateRow) {
      stats.duplicateRows++;
      stats.invalidPhonesInValidRows += outcome.invalidPhones;
    } else {
      batch.errors.push(...outcome.errors);
      stats.errorRows++;
    }
  };
  const full = () => inBatch >= opts.batchSize;
  const flush = () => {
    const out = batch;
    batch = { rows: [], errors: [], warnings: [] };
    inBatch = 0;
    return out;
  };

  try {
    for (const record of sample) {
      take(record);
      if (full()) yield flush();
    }
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      take(next.value);
      if (full()) yield flush();
    }
    if (inBatch > 0) yield flush();
  } finally {
    await release();
  }
}

/** Reads text chunks until `chars` characters (or the end) and hands back the iterator to go on. */
async function takeText(
  text: AsyncIterable<string>,
  chars: number,
): Promise<{ sample: string; rest: AsyncIterator<string> }> {
  const it = text[Symbol.asyncIterator]();
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const next = await it.next();
    if (next.done) break;
    parts.push(next.value);
    length += next.value.length;
  }
  return { sample: parts.join(''), rest: it };
}

async function* prepend(first: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  try {
    if (first) yield first;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}
