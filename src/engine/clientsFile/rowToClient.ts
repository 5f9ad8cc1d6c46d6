import type { RawRecord } from './csvRows.js';
import { ROW_REASON } from './fileErrors.js';
import { usedCells, type ColumnMap } from './mapColumns.js';
import { checkCandidate, splitPhoneCell } from './phoneCells.js';
import { PhoneSet } from './phoneSet.js';
import type { ClientRow, RowIssue } from './types.js';

/** What became of one data row. */
export interface RowOutcome {
  /** The client, unless the row was rejected or collapsed into earlier rows. */
  row?: ClientRow;
  /** Set when the row was rejected; one issue per offending value. */
  errors: RowIssue[];
  /** Issues of a kept (or collapsed) row: invalid extra numbers, numbers seen before. */
  warnings: RowIssue[];
  invalidPhones: number;
  duplicatePhones: number;
  /** Every valid number of the row appeared earlier in the file: nothing new to call. */
  duplicateRow: boolean;
}

export interface RowToClientOptions {
  country: string;
  /** Drop numbers already seen in earlier rows (the first occurrence wins). */
  dedupe: boolean;
}

/**
 * Makes the function that turns data rows into clients. It remembers the numbers of earlier
 * rows to collapse duplicates, in a {@link PhoneSet} (16–32 MB per million distinct numbers),
 * so memory follows the distinct numbers, not the file.
 */
export function makeRowToClient(map: ColumnMap, opts: RowToClientOptions): (record: RawRecord) => RowOutcome {
  const seen = opts.dedupe ? new PhoneSet() : null;
  const label = (index: number) => map.columns[index]?.header || `column${index + 1}`;
  const phoneColumns = map.columns.filter((c) => c.role === 'phone').map((c) => c.index);
  const variableColumns = map.columns.flatMap((c) =>
    c.role === 'variable' && c.variable ? [{ index: c.index, name: c.variable }] : [],
  );
  const idColumn = map.columns.find((c) => c.role === 'externalId')?.index;

  return (record) => {
    const { rowNumber } = record;
    const cells = usedCells(record.cells);
    const out: RowOutcome = { errors: [], warnings: [], invalidPhones: 0, duplicatePhones: 0, duplicateRow: false };

    if (cells.length > map.width) {
      // Usually an unquoted delimiter inside a value: the cells after it are shifted, so the
      // variables would be wrong; better reject the row than call with the wrong name.
      out.errors.push({
        rowNumber,
        value: cells.slice(map.width).map((c) => c.trim()).filter(Boolean).join(' ').slice(0, 200),
        reason: { key: ROW_REASON.tooManyCells, params: { cells: cells.length, columns: map.width } },
      });
      return out;
    }

    // NUL cannot be stored (PostgreSQL text): the row is refused, saying which cell, never half-kept.
    const nul = cells.findIndex((c) => c.includes('\u0000'));
    if (nul >= 0) {
      out.errors.push({
        rowNumber,
        column: label(nul),
        value: cells[nul]!.trim().replaceAll('\u0000', '\\u0000').slice(0, 200),
        reason: { key: ROW_REASON.nulCharacter },
      });
      return out;
    }

    const phones: string[] = [];
    const issues: RowIssue[] = [];
    let written = 0;
    for (const index of phoneColumns) {
      const column = label(index);
      for (const candidate of splitPhoneCell(cells[index] ?? '')) {
        written++;
        const result = checkCandidate(candidate, opts.country);
        if (!result.ok) {
          issues.push({ rowNumber, column, value: candidate.raw, reason: result.reason });
        } else if (phones.includes(result.e164)) {
          out.duplicatePhones++;
        } else {
          phones.push(result.e164);
        }
      }
    }

    if (phones.length === 0) {
      out.errors = written === 0
        ? [{ rowNumber, column: label(phoneColumns[0] ?? 0), value: '', reason: { key: ROW_REASON.noPhone } }]
        : issues;
      return out;
    }
    out.warnings = issues;
    out.invalidPhones = issues.length;

    // The row's own numbers are distinct already, so add() fails only for earlier rows' ones.
    const fresh = seen ? phones.filter((p) => seen.add(p)) : phones;
    if (seen && fresh.length < phones.length) {
      for (const p of phones) {
        if (fresh.includes(p)) continue;
        out.warnings.push({ rowNumber, value: p, reason: { key: ROW_REASON.duplicatePhone, params: { value: p } } });
      }
      out.duplicatePhones += phones.length - fresh.length;
    }
    if (fresh.length === 0) {
      out.duplicateRow = true;
      return out;
    }

    const variables: Record<string, string> = {};
    for (const { index, name } of variableColumns) {
      const value = (cells[index] ?? '').trim();
      if (value) variables[name] = value;
    }
    const row: ClientRow = { rowNumber, phones: fresh, variables };
    const externalId = idColumn === undefined ? '' : (cells[idColumn] ?? '').trim();
    if (externalId) row.externalId = externalId;
    out.row = row;
    return out;
  };
}
