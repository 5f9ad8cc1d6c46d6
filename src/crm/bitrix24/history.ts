import type { AppContext } from '../../context.js';
import type { Locale } from '../../i18n.js';
import { toAttempt, type AttemptRow } from '../../store/repositories/attempts.js';
import { outcomeText, talkSeconds } from './writeback/callTexts.js';
import { recordingLink, recordingPending } from './writeback/recordingLink.js';

/**
 * A deal's or lead's call history for its tab (C3): every call Dozvon made for that document in
 * this portal, newest first, with what the tab shows — outcome (code and text in the portal's
 * language), result, gender, answers, durations and a recording link that expires (`recordingTtlMs`:
 * a page plays it now; only the CRM timeline gets a lasting one). Scoped by tenant, so a portal
 * only ever sees its own calls; whether the user may see this document is the caller's check.
 */
export interface HistoryEntry {
  attemptId: string;
  campaignId: string | null;
  templateId: string;
  templateName: string;
  phone: string;
  attemptNo: number;
  status: string;
  outcome: string | null;
  outcomeText: string | null;
  result: string | null;
  tags: string[];
  gender: string | null;
  answers: { question: string; text: string; branch: string }[];
  durationSec: number | null;
  talkSec: number;
  recordingUrl: string | null;
  /** The call has a recording that Dozvon is still saving (moments after the call ends): look again. */
  recordingPending: boolean;
  startedAt: string;
  endedAt: string | null;
}

export async function callHistory(app: AppContext, tenantId: string, document: string, lng: Locale, o: { recordingTtlMs: number; limit?: number }): Promise<HistoryEntry[]> {
  const r = await app.db.query<AttemptRow & { template_name: string }>(
    `SELECT a.*, t.name AS template_name FROM attempts a
       JOIN campaign_contacts c ON c.id = a.contact_id
       JOIN templates t ON t.id = a.template_id
     WHERE c.tenant_id = $1 AND c.external_id = $2 AND a.tenant_id = $1
     ORDER BY a.created_at DESC, a.id DESC LIMIT $3`,
    [tenantId, document, o.limit ?? 100],
  );
  return r.rows.map((row) => {
    const a = toAttempt(row);
    return {
      attemptId: a.id,
      campaignId: a.campaignId,
      templateId: a.templateId,
      templateName: row.template_name,
      phone: a.phone,
      attemptNo: a.attemptNo,
      status: a.status,
      outcome: a.outcome,
      outcomeText: a.outcome ? outcomeText(lng, a.outcome) : null,
      result: a.result,
      tags: a.tags,
      gender: a.gender,
      answers: Object.values(a.answers),
      durationSec: a.durationSec,
      talkSec: talkSeconds(a),
      recordingUrl: recordingLink(app, a, o.recordingTtlMs),
      recordingPending: recordingPending(a),
      startedAt: (a.dialedAt ?? a.createdAt).toISOString(),
      endedAt: a.endedAt ? a.endedAt.toISOString() : null,
    };
  });
}
