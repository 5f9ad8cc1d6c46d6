import type { RawRecord } from './csvRows.js';
import { sheetRecords } from './xlsx/sheetRows.js';
import { readWorkbookParts } from './xlsx/workbook.js';
import { XlsxZip, type XlsxZipLimits } from './xlsx/xlsxZip.js';

export { cellText } from './xlsx/sheetRows.js';

/**
 * Rows of the first sheet of an XLSX workbook as text cells, streamed (src/engine/clientsFile/xlsx/):
 * the zip is read whole (it needs its central directory), the sheet row by row while it inflates,
 * within `limits` (unzipped bytes, zip-bomb ratio, Excel's grid and cell size).
 */
export async function* xlsxRecords(workbook: Buffer, limits: XlsxZipLimits): AsyncGenerator<RawRecord> {
  const zip = await XlsxZip.open(workbook, limits);
  try {
    yield* sheetRecords(zip, await readWorkbookParts(zip));
  } finally {
    zip.close();
  }
}
