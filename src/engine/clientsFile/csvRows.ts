import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { fileErrors } from './fileErrors.js';
import type { Delimiter } from './types.js';

/** One row of a file as cells of text, before any meaning is given to them. */
export interface RawRecord {
  /** 1-based, as a spreadsheet numbers rows (blank lines count, a multi-line cell does not). */
  rowNumber: number;
  cells: string[];
}

const CANDIDATES = ['\t', ';', ','] as const;
const SNIFF_RECORDS = 50;
// Long enough for any honest row; a quote left open swallows the rest of the file and hits this.
const MAX_RECORD_CHARS = 128 * 1024;
// csv-parse needs some delimiter; NUL cannot occur (sniffFormat rejects text containing it).
const NO_DELIMITER = '\u0000';

/**
 * Guesses the column separator from the first rows of a text file. The header (row 1) must
 * contain it and most rows must have the same count as the header; ties go to tab, then `;`,
 * then `,`, because a comma is the decimal mark in Russian amounts ("1500,50") while tabs and
 * semicolons rarely occur in values. Delimiters inside quotes are not counted.
 */
export function sniffDelimiter(sample: string): Delimiter {
  const records = splitSampleRecords(sample);
  if (records.length === 0) return null;
  let best: { delimiter: Delimiter; score: number; header: number } | undefined;
  for (const delimiter of CANDIDATES) {
    const counts = records.map((r) => countOutsideQuotes(r, delimiter));
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const score = counts.filter((c) => c === header).length / counts.length;
    if (!best || score > best.score || (score === best.score && best.score < 0.5 && header > best.header)) {
      best = { delimiter, score, header };
    }
  }
  return best ? best.delimiter : null;
}

/** Splits sample text into records, keeping quoted newlines inside their record; skips blank lines. */
function splitSampleRecords(sample: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < sample.length && out.length < SNIFF_RECORDS; i++) {
    const ch = sample[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      const line = sample.slice(start, i);
      if (line.trim()) out.push(line);
      start = i + 1;
    }
  }
  const last = sample.slice(start);
  // The sample may end mid-record; use that tail only when it is the whole file.
  if (out.length === 0 && last.trim()) out.push(last);
  return out;
}

function countOutsideQuotes(record: string, delimiter: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of record) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter) n++;
  }
  return n;
}

/**
 * Streams records out of decoded text with csv-parse: quoted cells may hold the delimiter and
 * line breaks, stray quotes inside unquoted cells are kept as text, rows may differ in length,
 * and `\n`, `\r\n` and `\r` line ends may be mixed. Syntax the parser cannot recover from ends
 * the import with a `DomainError` naming the line.
 */
export async function* csvRecords(text: AsyncIterable<string>, delimiter: Delimiter): AsyncGenerator<RawRecord> {
  const parser = parse({
    delimiter: delimiter ?? NO_DELIMITER,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  // pipeline() forwards a failing source into the parser, so the loop below sees every error.
  const feeding = pipeline(Readable.from(text), parser);
  feeding.catch(() => {}); // the same error surfaces from the loop below
  let rowNumber = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      yield { rowNumber, cells: record };
    }
    await feeding;
  } catch (e) {
    throw translateCsvError(e, rowNumber + 1);
  } finally {
    parser.destroy();
  }
}

/** Names the row where the broken record starts (csv-parse's `lines` is where parsing gave up). */
function translateCsvError(e: unknown, nextRow: number): unknown {
  if (!(e instanceof CsvError)) return e;
  const done = (e as unknown as { records?: unknown }).records;
  const row = typeof done === 'number' ? done + 1 : nextRow;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return fileErrors.unclosedQuote(row);
    case 'CSV_MAX_RECORD_SIZE':
      return fileErrors.recordTooLarge(row);
    default:
      return fileErrors.malformedText(row);
  }
}
