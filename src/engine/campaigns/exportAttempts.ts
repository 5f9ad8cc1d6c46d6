import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { SheetData } from 'write-excel-file/node';
import { DomainError } from '../../core/errors.js';
import { spreadsheetSafe } from '../../core/spreadsheetCell.js';
import { t, type Locale } from '../../i18n.js';
import type { Queryable } from '../../store/db.js';
import { toAttempt, type AttemptRow } from '../../store/repositories/attempts.js';

/**
 * Export of a campaign's attempts (V6): CSV streamed in keyset pages, so a campaign with millions
 * of calls is exported with bounded memory (UTF-8 with BOM, ";" for Russian Excel, "," otherwise);
 * XLSX for up to {@link XLSX_MAX_ROWS} calls (the workbook is built whole). Headers in the user's
 * language; both formats carry the same columns and values.
 */
const COLUMNS = [
  'attempt_id', 'phone', 'external_id', 'attempt_no', 'created_at', 'dialed_at', 'answered_at', 'ended_at', 'outcome', 'result', 'tags',
  'amd', 'gender', 'duration_sec', 'talk_sec', 'ineffective', 'sip_code', 'error', 'answers',
] as const;

/** An XLSX is built in memory: bigger campaigns are exported as CSV. */
export const XLSX_MAX_ROWS = 100_000;

type Cell = string | number;

/** The export's rows, oldest call first, a page of 1,000 at a time. */
async function* exportRows(db: Queryable, tenantId: string, campaignId: string, lng: Locale): AsyncGenerator<Cell[][]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const r = await db.query<AttemptRow & { external_id: string | null }>(
      `SELECT a.*, c.external_id FROM attempts a LEFT JOIN campaign_contacts c ON c.id = a.contact_id
       WHERE a.tenant_id = $1 AND a.campaign_id = $2 AND a.status = 'completed'
         -- a claim given back before dialling (worker stopping, start slot missed) was no attempt
         AND (a.placed OR a.technical)
         AND ($3::timestamptz IS NULL OR (a.created_at, a.id) > ($3, $4::uuid))
       ORDER BY a.created_at, a.id LIMIT 1000`,
      [tenantId, campaignId, after?.createdAt ?? null, after?.id ?? null],
    );
    yield r.rows.map((row) => {
      const a = toAttempt(row);
      return [
        a.id, a.phone, row.external_id ?? '', a.attemptNo, a.createdAt.toISOString(), a.dialedAt?.toISOString() ?? '',
        a.answeredAt?.toISOString() ?? '', a.endedAt?.toISOString() ?? '', a.outcome ? t(lng, `outcome.${a.outcome}`) : '', a.result ?? '',
        a.tags.join(' '), a.amdVerdict ?? '', a.gender ?? '', a.durationSec ?? '', a.talkSec ?? '', a.ineffective ? 1 : 0, a.sipCode ?? '',
        a.error ?? '', Object.values(a.answers).map((x) => `${x.question} → ${x.text}`).join(' | '),
      ];
    });
    if (r.rows.length < 1000) return;
    const last = r.rows[r.rows.length - 1]!;
    after = { createdAt: last.created_at, id: last.id };
  }
}

const header = (lng: Locale) => COLUMNS.map((c) => t(lng, `export.${c}`));

export function exportAttemptsCsv(db: Queryable, tenantId: string, campaignId: string, lng: Locale): Readable {
  // Every text cell comes from outside (numbers, ids, answers the callee spoke): never a formula.
  const csv = stringify({ delimiter: lng === 'ru' ? ';' : ',', bom: true, record_delimiter: 'windows', cast: { string: spreadsheetSafe } });
  csv.write(header(lng));
  const pump = async () => {
    for await (const page of exportRows(db, tenantId, campaignId, lng)) {
      for (const row of page) {
        // Respect back-pressure: a slow client does not make us buffer the whole campaign.
        if (!csv.write(row)) await new Promise((resolve) => csv.once('drain', resolve));
      }
    }
    csv.end();
  };
  pump().catch((e: unknown) => csv.destroy(e as Error));
  return csv;
}

/** Excel runs a cell starting with = + - @ as a formula; answers and errors are other people's words. */
const defuse = (cell: string): string => (/^[=+\-@]/.test(cell) ? `'${cell}` : cell);

export async function exportAttemptsXlsx(db: Queryable, tenantId: string, campaignId: string, lng: Locale): Promise<Buffer> {
  const data: SheetData = [header(lng).map((value) => ({ value, fontWeight: 'bold', backgroundColor: '#E5E7EB' }) as const)];
  for await (const page of exportRows(db, tenantId, campaignId, lng)) {
    if (data.length - 1 + page.length > XLSX_MAX_ROWS) throw new DomainError('payload_too_large', 'errors.export_xlsx_too_large', { max: XLSX_MAX_ROWS });
    for (const row of page) data.push(row.map((v) => (typeof v === 'number' ? { value: v, type: Number } : { value: defuse(v), type: String })));
  }
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  return writeXlsxFile(data, {
    sheet: t(lng, 'export.sheet_name'),
    stickyRowsCount: 1,
    columns: COLUMNS.map((c) => ({ width: c === 'answers' || c === 'error' ? 50 : c === 'attempt_id' ? 38 : 18 })),
  }).toBuffer();
}
