import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { completedAttemptsOfContact } from '../../store/repositories/attempts.js';
import { toContact, type ContactRow } from '../../store/repositories/numbers.js';

/**
 * A contact is finished when none of its numbers is open any more. Then it is marked reached /
 * unreached / cancelled and the finish hooks run in the same transaction (CRM robot return values,
 * the "number finished" webhook).
 */
export async function finishContactIfDone(app: AppContext, tx: Queryable, contactId: string): Promise<void> {
  const open = await tx.query<{ n: string; answered: string; cancelled: string; total: string }>(
    `SELECT count(*) FILTER (WHERE status IN ('new', 'dialing', 'callback')) AS n,
            count(*) FILTER (WHERE status = 'answered') AS answered,
            count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
            count(*) AS total
     FROM campaign_numbers WHERE contact_id = $1`,
    [contactId],
  );
  const row = open.rows[0]!;
  if (Number(row.n) > 0) return;
  const status = Number(row.answered) > 0 ? 'reached' : Number(row.cancelled) === Number(row.total) ? 'cancelled' : 'unreached';
  const attempts = await completedAttemptsOfContact(tx, contactId);
  const last = attempts.filter((a) => a.consumed || a.placed).at(-1) ?? attempts.at(-1);
  const updated = await tx.query<ContactRow>(
    `UPDATE campaign_contacts SET status = $2, finished_at = $3, result = $4 WHERE id = $1 AND status = 'open' RETURNING *`,
    [contactId, status, app.clock.now(), attempts.find((a) => a.result)?.result ?? null],
  );
  if (!updated.rows[0]) return;
  const contact = toContact(updated.rows[0]);
  for (const hook of app.hooks.contactFinished) {
    await hook(tx, { tenantId: contact.tenantId, campaignId: contact.campaignId, contactId, status, lastAttempt: last, attempts, crm: contact.crm });
  }
}
