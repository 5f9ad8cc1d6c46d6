import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { toContact, type ContactRow } from '../../store/repositories/numbers.js';

/**
 * A contact is finished when none of its numbers is open any more. Then it is marked reached /
 * unreached / cancelled, with the first result its completed attempts set, and the finish hooks
 * run in the same transaction (CRM robot return values, pipeline campaigns completing).
 * One statement whether or not the contact is done: the count of its open numbers, the status and
 * the result are worked out where the rows are (three statements before, the contact's attempts
 * read back in full — the third most expensive statement of a call's end).
 */
export async function finishContactIfDone(app: AppContext, tx: Queryable, contactId: string): Promise<void> {
  const updated = await tx.query<ContactRow>(
    `WITH numbers AS (
       SELECT count(*) FILTER (WHERE status IN ('new', 'dialing', 'callback')) AS open,
              count(*) FILTER (WHERE status = 'answered') AS answered,
              count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
              count(*) AS total
       FROM campaign_numbers WHERE contact_id = $1
     )
     UPDATE campaign_contacts c
     SET status = CASE WHEN numbers.answered > 0 THEN 'reached' WHEN numbers.cancelled = numbers.total THEN 'cancelled' ELSE 'unreached' END,
         finished_at = $2,
         result = (SELECT a.result FROM attempts a WHERE a.contact_id = $1 AND a.status = 'completed' AND a.result IS NOT NULL
                   ORDER BY a.created_at, a.id LIMIT 1)
     FROM numbers
     WHERE c.id = $1 AND c.status = 'open' AND numbers.open = 0
     RETURNING c.*`,
    [contactId, app.clock.now()],
  );
  const contact = updated.rows[0] && toContact(updated.rows[0]);
  if (!contact || contact.status === 'open') return;
  const { status } = contact;
  for (const hook of app.hooks.contactFinished) {
    await hook(tx, { tenantId: contact.tenantId, campaignId: contact.campaignId, contactId, status, crm: contact.crm });
  }
}
