/**
 * Shapes of a clients file import (V5, T2): what one parsed row is, how a rejected value is
 * reported, and what the reader tells about the file before and after the rows.
 */

/** Why a value or a row was rejected: an i18next key and its parameters, as in `FieldIssue`. */
export interface IssueReason {
  /** i18next key, e.g. `phone.too_short` or `clientsFile.rowErrors.no_phone`. */
  key: string;
  params?: Record<string, string | number>;
}

/** One problem found in one row of the file. */
export interface RowIssue {
  /**
   * 1-based row number as a spreadsheet shows it: the header is row 1, a blank line is a row,
   * a quoted cell spanning several lines is one row.
   */
  rowNumber: number;
  /** Header of the column the value came from (`column3` in a file without a header). */
  column?: string;
  /** The offending value as written in the file (trimmed); '' when the cell was empty. */
  value: string;
  reason: IssueReason;
}

/** One person to call, read from one row. */
export interface ClientRow {
  /** Row number as in {@link RowIssue.rowNumber}. */
  rowNumber: number;
  /** Valid numbers in E.164, in the order they were written, without duplicates. */
  phones: string[];
  /**
   * Scenario variables by name, known and unknown columns alike; only non-empty cells appear,
   * so a missing key means "empty in the file".
   */
  variables: Record<string, string>;
  /** The CRM's or the customer's own id of this client, from an `id` / `external_id` column. */
  externalId?: string;
}

/** Rows, rejected rows and warnings of up to `batchSize` consecutive rows of the file. */
export interface ClientsFileBatch {
  rows: ClientRow[];
  /** Issues of rows that were rejected (no valid phone, too many cells…): the row is not in `rows`. */
  errors: RowIssue[];
  /** Issues of rows that were kept or collapsed: an invalid second number, a duplicate number. */
  warnings: RowIssue[];
}

export type ClientsFileFormat = 'csv' | 'txt' | 'xlsx';
export type TextEncoding = 'utf-8' | 'windows-1251' | 'utf-16le' | 'utf-16be';
/** Column separator of a text file; `null` means one column per line (a plain list of numbers). */
export type Delimiter = ',' | ';' | '\t' | null;

export type ColumnRole = 'phone' | 'variable' | 'externalId' | 'ignored';

/** How one column of the file was understood. */
export interface ColumnInfo {
  /** 0-based position in the row. */
  index: number;
  /** Header text as written ('' for a file without a header). */
  header: string;
  role: ColumnRole;
  /** Variable name the values go to (role `variable`). */
  variable?: string;
  /** True when the column is one of the scenario's variables (or the phone / id column). */
  known: boolean;
}

/** What the reader found out about the file before the first row. */
export interface ClientsFileMeta {
  format: ClientsFileFormat;
  /**
   * Text encoding (text formats only). A file whose first bytes are all ASCII reports `utf-8`
   * until a non-ASCII byte decides otherwise; the value is final once iteration ends.
   */
  encoding?: TextEncoding;
  /** Column separator (text formats only). */
  delimiter?: Delimiter;
  /** Whether row 1 was recognised as a header. */
  headerRow: boolean;
  columns: ColumnInfo[];
  /** Headers of the phone columns. */
  phoneColumns: string[];
  /** Columns kept as variables although the scenario does not declare them: the UI should warn. */
  unknownColumns: string[];
  /** Scenario variables no column provides: the UI should warn. */
  missingVariables: string[];
  /** The first rows as written, header included (up to 10 data rows; cells cut at 500 characters). */
  sample?: { rowNumber: number; cells: string[] }[];
}

/** Running totals; final once the batches have been read to the end. */
export interface ClientsFileStats {
  /** Data rows seen (not counting the header, blank rows and `# ` comment rows). */
  dataRows: number;
  /** Rows returned in `rows`. */
  validRows: number;
  /** Rows rejected (reported in `errors`). */
  errorRows: number;
  /** Rows dropped because every number in them appeared earlier in the file. */
  duplicateRows: number;
  /** Numbers dropped because they appeared earlier in the file (or earlier in the same row). */
  duplicatePhones: number;
  /** Invalid numbers in rows that had a valid one too (reported in `warnings`). */
  invalidPhonesInValidRows: number;
  /** Blank and comment rows skipped. */
  skippedRows: number;
  /** Numbers returned in `rows` (all distinct unless `dedupe` is off). */
  phones: number;
}
