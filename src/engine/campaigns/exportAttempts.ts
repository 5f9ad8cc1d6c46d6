import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '../../core/spreadsheetCell.js';
import { t, type Locale } from '../../i18n.js';
import type { Queryable } from '../../store/db.js';
import { toAttempt, type AttemptRow } from '../../store/repositories/attempts.js';

/**
 * CSV export of a campaign's attempts (V6), streamed in keyset pages so a campaign with millions
 * of calls is exported with bounded memory. Headers in the user's language; UTF-8 with BOM and ";"
 * for Russian Excel, "," otherwise.
 */
const COLUMNS = [
  'attempt_id', 'phone', 'external_id', 'attempt_no', 'created_at', 'dialed_at', 'answered_at', 'ended_at', 'outcome', 'result', 'tags',
  'amd', 'gender', 'duration_sec', 'talk_sec', 'ineffective', 'sip_code', 'error', 'answers',
] as const;

export function exportAttemptsCsv(db: Queryable, tenantId: string, campaignId: string, lng: Locale): Readable {
  // Every text cell comes from outside (numbers, ids, answers the callee spoke): never a formula.
  const csv = stringify({ delimiter: lng === 'ru' ? ';' : ',', bom: true, record_delimiter: 'windows', cast: { string: spreadsheetSafe } });
  csv.write(COLUMNS.map((c) => t(lng, `export.${c}`)));
  const pump = async () => {
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
      for (const row of r.rows) {
        const a = toAttempt(row);
        const ok = csv.write([
          a.id, a.phone, row.external_id ?? '', a.attemptNo, a.createdAt.toISOString(), a.dialedAt?.toISOString() ?? '',
          a.answeredAt?.toISOString() ?? '', a.endedAt?.toISOString() ?? '', a.outcome ? t(lng, `outcome.${a.outcome}`) : '', a.result ?? '',
          a.tags.join(' '), a.amdVerdict ?? '', a.gender ?? '', a.durationSec ?? '', a.talkSec ?? '', a.ineffective ? 1 : 0, a.sipCode ?? '',
          a.error ?? '', Object.values(a.answers).map((x) => `${x.question} → ${x.text}`).join(' | '),
        ]);
        // Respect back-pressure: a slow client does not make us buffer the whole campaign.
        if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
      }
      if (r.rows.length < 1000) break;
      const last = r.rows[r.rows.length - 1]!;
      after = { createdAt: last.created_at, id: last.id };
    }
    csv.end();
  };
  pump().catch((e: unknown) => csv.destroy(e as Error));
  return csv;
}
