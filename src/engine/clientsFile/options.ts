import { z } from 'zod';
import { isSupportedCountry } from '../../core/phone.js';
import { validationFailed, type FieldIssue } from '../../core/errors.js';

/** Defaults of the limits; each can be lowered or raised per import. */
export const CLIENTS_FILE_DEFAULTS = {
  maxRows: 1_000_000,
  maxColumns: 100,
  batchSize: 1000,
  maxXlsxBytes: 50 * 1024 * 1024,
  // 1,000,000 rows of an XLSX unpack to ~120 MB of XML (12 MB per 100,000 rows, measured).
  maxUnzippedBytes: 256 * 1024 * 1024,
} as const;

/** One column's role as chosen by a person: phone, a scenario variable (by name), the external id, or ignored. */
export const columnMappingSchema = z
  .object({
    index: z.number().int().min(0).max(10_000),
    role: z.enum(['phone', 'variable', 'externalId', 'ignored']),
    /** For role `variable`: the variable the values go to (defaults to the column's header). */
    variable: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnMappingSchema>;

/** Options of an import, as they cross from the HTTP layer or the Calls API. */
export const clientsFileOptionsSchema = z.object({
  /** Upload's file name; only tells CSV from TXT (content decides everything else). */
  filename: z.string().max(1000).optional(),
  /** Upload's Content-Type; used like `filename`. */
  contentType: z.string().max(255).optional(),
  /** ISO 3166 country for numbers written without a country code (the template's, T10). */
  country: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => isSupportedCountry(c), { message: 'unsupported country' }),
  /** The scenario's variable names; headers map onto them (aliases included). */
  variables: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
  /** Data rows allowed (at most the server's limit, see limits.ts); one more ends the import with `clientsFile.errors.too_many_rows`. */
  maxRows: z.number().int().positive().optional(),
  /** Columns allowed in the header (or the widest of the first rows without one). */
  maxColumns: z.number().int().positive().max(10_000).default(CLIENTS_FILE_DEFAULTS.maxColumns),
  /** Rows per batch handed to the consumer. */
  batchSize: z.number().int().positive().max(100_000).default(CLIENTS_FILE_DEFAULTS.batchSize),
  /** An XLSX is read whole; bigger ones are refused. */
  maxXlsxBytes: z.number().int().positive().default(CLIENTS_FILE_DEFAULTS.maxXlsxBytes),
  /** What an XLSX's parts may unpack to (at most the server's limit), counted while inflating; more is refused. */
  maxUnzippedBytes: z.number().int().positive().optional(),
  /** Collapse numbers seen earlier in the file (on by default). */
  dedupe: z.boolean().default(true),
  /**
   * The columns as a person mapped them (the console's import preview), by 0-based position,
   * overriding what the headers and contents suggested; columns not named keep their mapping.
   */
  columns: z.array(columnMappingSchema).max(10_000).optional(),
});

export type ClientsFileOptions = z.input<typeof clientsFileOptionsSchema>;
export type ResolvedClientsFileOptions = z.output<typeof clientsFileOptionsSchema> & { maxRows: number; maxUnzippedBytes: number };

/** The server's caps of every import (settings IMPORT_MAX_ROWS, IMPORT_MAX_UNZIPPED_MB; see limits.ts). */
export const importCaps = { maxRows: CLIENTS_FILE_DEFAULTS.maxRows as number, maxUnzippedBytes: CLIENTS_FILE_DEFAULTS.maxUnzippedBytes as number };

/**
 * Validated options, or a `validation_failed` DomainError naming each bad field. Row and unzip
 * limits default to the server's caps and a caller cannot raise them above.
 */
export function resolveOptions(options: ClientsFileOptions): ResolvedClientsFileOptions {
  const parsed = clientsFileOptionsSchema.safeParse(options);
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error));
  return {
    ...parsed.data,
    maxRows: Math.min(parsed.data.maxRows ?? importCaps.maxRows, importCaps.maxRows),
    maxUnzippedBytes: Math.min(parsed.data.maxUnzippedBytes ?? importCaps.maxUnzippedBytes, importCaps.maxUnzippedBytes),
  };
}

/** zod issues as FieldIssues with keys of our own locale file. */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    key: 'clientsFile.errors.invalid_option',
    params: { field: issue.path.map(String).join('.'), code: issue.code },
  }));
}
