import type { Queryable } from '../../../store/db.js';

/**
 * "This call note is on its way": set on the write-back jobs (outbox rows) whose notes are about to
 * leave, in one statement for the whole request, just before it is sent. A job retried after an
 * answer that never came finds the mark and looks for its note by `uniq` before writing again —
 * amoCRM does not deduplicate call notes itself.
 */
export const NOTE_SENT = 'noteSent';

export async function markNotesSending(db: Queryable, jobIds: string[]): Promise<void> {
  await db.query(`UPDATE outbox SET state = state || jsonb_build_object('${NOTE_SENT}', true) WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [jobIds]);
}
