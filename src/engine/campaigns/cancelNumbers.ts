import { z } from 'zod';
import { notFound } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import type { TemplateSettings } from '../../core/template.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { withTransaction, type Queryable } from '../../store/db.js';
import { findCampaign, findCampaignById, setCampaignStatus, type Campaign } from '../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../store/repositories/numbers.js';
import { findVersioned, TEMPLATES } from '../../store/repositories/versioned.js';
import { finishContactIfDone } from './finishContact.js';
import { notifyCampaignStatus } from './notifyStatus.js';

/**
 * Cancelling numbers: open ones stop at once; one in a call is hung up and gets no further call.
 * Contacts left with nothing open are finished (their CRM robots get "cancelled").
 */
async function cancelWhere(
  app: AppContext,
  tx: Queryable,
  campaignId: string,
  where: string,
  params: unknown[],
  o: { hangUp: boolean } = { hangUp: true },
): Promise<number> {
  const now = app.clock.now();
  const stopped = await tx.query<{ contact_id: string }>(
    `UPDATE campaign_numbers SET status = 'cancelled', updated_at = $2
     WHERE campaign_id = $1 AND status IN ('new', 'callback') AND ${where} RETURNING contact_id`,
    [campaignId, now, ...params],
  );
  if (o.hangUp) {
    const inCall = await tx.query<{ current_attempt_id: string | null }>(
      `UPDATE campaign_numbers SET cancel_requested = true, updated_at = $2
       WHERE campaign_id = $1 AND status = 'dialing' AND ${where} RETURNING current_attempt_id`,
      [campaignId, now, ...params],
    );
    const calls = await tx.query<{ provider_call_id: string | null }>('SELECT provider_call_id FROM attempts WHERE id = ANY($1::uuid[])', [
      inCall.rows.map((r) => r.current_attempt_id).filter(Boolean),
    ]);
    for (const c of calls.rows) {
      if (!c.provider_call_id) continue;
      // The number is cancelled either way; a call the platform would not hang up ends on its own and its result is ignored.
      await app.voice.hangup(c.provider_call_id).catch((e: unknown) => app.log.warn({ err: e, campaignId, providerCallId: c.provider_call_id }, 'hang-up of a cancelled number failed'));
    }
  }
  // Only CRM-origin contacts need a finish callback each; the rest are closed in one statement.
  const contacts = [...new Set(stopped.rows.map((r) => r.contact_id))];
  const withCrm = await tx.query<{ id: string }>('SELECT id FROM campaign_contacts WHERE id = ANY($1::uuid[]) AND crm IS NOT NULL', [contacts]);
  for (const c of withCrm.rows) await finishContactIfDone(app, tx, c.id);
  await tx.query(
    `UPDATE campaign_contacts c SET status = 'cancelled', finished_at = $2
     WHERE c.id = ANY($1::uuid[]) AND c.status = 'open'
       AND NOT EXISTS (SELECT 1 FROM campaign_numbers n WHERE n.contact_id = c.id AND n.status IN ('new', 'dialing', 'callback'))`,
    [contacts, now],
  );
  return stopped.rowCount ?? 0;
}

/**
 * The campaign ends (completed or deleted): numbers waiting for a call are cancelled; a call in
 * progress is not cut — it finishes normally, and the ended campaign gives its number no further call.
 */
export async function cancelOpenNumbers(app: AppContext, tx: Queryable, c: Campaign): Promise<number> {
  return cancelWhere(app, tx, c.id, 'true', [], { hangUp: false });
}

export const cancelRequestSchema = z
  .object({
    numberIds: z.array(z.uuid()).max(10_000).optional(),
    phones: z.array(z.string().min(3).max(40)).max(10_000).optional(),
    externalIds: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  })
  .strict()
  .refine((v) => (v.numberIds?.length ?? 0) + (v.phones?.length ?? 0) + (v.externalIds?.length ?? 0) > 0, {
    message: 'validation.cancel_nothing',
  });

export async function cancelNumbers(app: AppContext, tenantId: string, campaignId: string, input: unknown): Promise<{ cancelled: number }> {
  const v = parseInput(cancelRequestSchema, input);
  return withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, campaignId);
    if (!c) throw notFound('campaign', campaignId);
    let cancelled = 0;
    if (v.numberIds?.length) cancelled += await cancelWhere(app, tx, c.id, 'id = ANY($3::uuid[])', [v.numberIds]);
    if (v.phones?.length) {
      // Numbers are stored in E.164: "8 (900) 123-45-67" must find what was added as "+7 900 123 45 67".
      const country = (await findVersioned<TemplateSettings>(tx, TEMPLATES, c.tenantId, c.templateId))?.body.country ?? 'RU';
      const phones = v.phones.map((p) => {
        const n = normalizePhone(p, country);
        return n.ok ? n.e164 : p;
      });
      cancelled += await cancelWhere(app, tx, c.id, 'phone = ANY($3::text[])', [phones]);
    }
    if (v.externalIds?.length) {
      cancelled += await cancelWhere(app, tx, c.id, 'contact_id IN (SELECT id FROM campaign_contacts WHERE campaign_id = $1 AND external_id = ANY($3::text[]))', [
        v.externalIds,
      ]);
    }
    await completeIfAllDone(app, tx, c.id);
    return { cancelled };
  });
}

/** "Complete when done" also when the last open numbers were cancelled rather than called. */
async function completeIfAllDone(app: AppContext, tx: Queryable, campaignId: string): Promise<void> {
  const c = await findCampaignById(tx, campaignId, { forUpdate: true });
  if (!c || c.deletedAt || c.status !== 'running' || !c.settings.completeWhenDone) return;
  if ((await countOpenNumbers(tx, c.id)) > 0) return;
  const done = await setCampaignStatus(tx, c.id, { status: 'completed', reason: 'all_done', now: app.clock.now() });
  await notifyCampaignStatus(app, tx, done, 'completed');
}
