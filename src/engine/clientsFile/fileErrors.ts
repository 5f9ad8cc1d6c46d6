import { DomainError, badRequest } from '../../core/errors.js';

/**
 * Whole-file failures of a clients file import. Each is a `DomainError` with an i18n key under
 * `clientsFile.errors.*`, so the console can say what is wrong with the file instead of "500".
 */
export const fileErrors = {
  empty: () => badRequest('clientsFile.errors.empty_file'),
  /** Not a spreadsheet or text at all: an image, a PDF, an archive, random bytes. */
  unsupported: (detected: string) =>
    new DomainError('unsupported_media_type', 'clientsFile.errors.unsupported_format', { detected }),
  /** The pre-2007 binary Excel format; only .xlsx is read. */
  legacyXls: () => new DomainError('unsupported_media_type', 'clientsFile.errors.xls_not_supported'),
  invalidXlsx: () => badRequest('clientsFile.errors.invalid_xlsx'),
  noSheets: () => badRequest('clientsFile.errors.no_sheets'),
  xlsxTooLarge: (maxBytes: number) =>
    new DomainError('payload_too_large', 'clientsFile.errors.xlsx_too_large', { maxMb: Math.round(maxBytes / 1048576) }),
  /** The workbook's parts unpack to more than the limit (counted while inflating, not as declared). */
  xlsxUnzipsTooLarge: (maxBytes: number) =>
    new DomainError('payload_too_large', 'clientsFile.errors.xlsx_unzips_too_large', { maxMb: Math.round(maxBytes / 1048576) }),
  /** A part inflates to far more than any workbook's XML does: a zip bomb. */
  xlsxZipBomb: (ratio: number) => new DomainError('payload_too_large', 'clientsFile.errors.xlsx_zip_bomb', { ratio }),
  /** A cell longer than Excel itself allows. */
  xlsxCellTooLong: (max: number) => new DomainError('payload_too_large', 'clientsFile.errors.cell_too_long', { max }),
  /** Parsing needed more memory than an import may use (a hostile or absurdly shaped file). */
  tooComplex: (maxMb: number) => new DomainError('payload_too_large', 'clientsFile.errors.too_complex', { maxMb }),
  tooManyRows: (max: number) => new DomainError('payload_too_large', 'clientsFile.errors.too_many_rows', { max }),
  tooManyColumns: (count: number, max: number) =>
    new DomainError('payload_too_large', 'clientsFile.errors.too_many_columns', { count, max }),
  noPhoneColumn: (headers: string[]) => badRequest('clientsFile.errors.no_phone_column', { columns: headers.join(', ') }),
  /** A quote opened and never closed: everything after it would be one giant cell. */
  unclosedQuote: (row: number) => badRequest('clientsFile.errors.unclosed_quote', { row }),
  recordTooLarge: (row: number) => badRequest('clientsFile.errors.record_too_large', { row }),
  malformedText: (row: number) => badRequest('clientsFile.errors.malformed_text', { row }),
};

/** Keys of row-level reasons that are not phone rejections (those are `phone.<reason>`). */
export const ROW_REASON = {
  noPhone: 'clientsFile.rowErrors.no_phone',
  tooManyCells: 'clientsFile.rowErrors.too_many_cells',
  phoneExponent: 'clientsFile.rowErrors.phone_exponent',
  duplicatePhone: 'clientsFile.rowWarnings.duplicate_phone',
  nulCharacter: 'clientsFile.rowErrors.nul_character',
} as const;
