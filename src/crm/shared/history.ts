import type { Outcome } from '../../core/outcome.js';
import type { Queryable } from '../../store/db.js';
import { toAttempt, type Attempt, type AttemptRow } from '../../store/repositories/attempts.js';
import { talkSeconds } from './callTexts.js';
import { recordingPending } from './recordingLink.js';

/**
 * A CRM record's call history (the Bitrix24 tab, the amoCRM card panel): every call Dozvon made
 * for the campaign contacts with that external id in this tenant, newest first, with what the
 * panels show — outcome (code and words), result, gender, answers, durations and the recording
 * link (the MP3 copy). Scoped by tenant, so an account only ever sees its own calls.
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

export async function callHistory(
  db: Queryable,
  tenantId: string,
  externalId: string,
  o: { outcomeText: (o: Outcome) => string; recordingLink: (a: Attempt) => string | null; limit?: number },
): Promise<HistoryEntry[]> {
  const r = await db.query<AttemptRow & { template_name: string }>(
    `SELECT a.*, t.name AS template_name FROM attempts a
       JOIN campaign_contacts c ON c.id = a.contact_id
       JOIN templates t ON t.id = a.template_id
     WHERE c.tenant_id = $1 AND c.external_id = $2 AND a.tenant_id = $1
     ORDER BY a.created_at DESC, a.id DESC LIMIT $3`,
    [tenantId, externalId, o.limit ?? 100],
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
      outcomeText: a.outcome ? o.outcomeText(a.outcome) : null,
      result: a.result,
      tags: a.tags,
      gender: a.gender,
      answers: Object.values(a.answers),
      durationSec: a.durationSec,
      talkSec: talkSeconds(a),
      recordingUrl: o.recordingLink(a),
      recordingPending: recordingPending(a),
      startedAt: (a.dialedAt ?? a.createdAt).toISOString(),
      endedAt: a.endedAt ? a.endedAt.toISOString() : null,
    };
  });
}
