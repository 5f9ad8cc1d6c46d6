import type { TemplateSettings } from '../../../core/template.js';
import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { t } from '../../../i18n.js';
import { withTransaction, type Queryable } from '../../../store/db.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { AmoContext } from '../amoContext.js';
import type { JobPayload } from '../jobs.js';
import { readContacts } from '../intake/readLeads.js';
import { toContactInput } from '../intake/toContactInput.js';
import { findAccount } from '../store/accounts.js';
import { addToPipelineCampaign } from './pipelineCampaign.js';

/**
 * `dp.intake`: a lead entered a stage with Dozvon's Digital Pipeline action — read it and its
 * contacts, and add it to the template's pipeline campaign. The stage the hook named is what a
 * later stage move expects the lead to still be in. A lead without a usable phone gets a note
 * saying so, so a person sees why nothing was called. The event is marked processed in the
 * transaction that adds the lead, so a retry after a crash never adds it twice.
 */
async function markProcessed(ctx: AmoContext, tenantId: string, eventKey: string, contactId: string | null, tx: Queryable = ctx.db): Promise<boolean> {
  const r = await tx.query('UPDATE amo_dp_events SET processed_at = $3, contact_id = $4 WHERE tenant_id = $1 AND event_key = $2 AND processed_at IS NULL', [tenantId, eventKey, ctx.clock.now(), contactId]);
  return (r.rowCount ?? 0) > 0;
}

export async function runDpIntake(ctx: AmoContext, job: OutboxJob, p: JobPayload<'dp.intake'>, ctl: HandlerControl): Promise<HandlerResult> {
  const seen = await ctx.db.query<{ processed_at: Date | null }>('SELECT processed_at FROM amo_dp_events WHERE tenant_id = $1 AND event_key = $2', [job.tenantId, p.eventKey]);
  if (seen.rows[0]?.processed_at && !(job.state as { noPhoneNote?: boolean }).noPhoneNote) return { kind: 'done' };
  const account = await findAccount(ctx.db, job.tenantId);
  const tenant = await findTenant(ctx.db, job.tenantId);
  if (!account?.accessTokenEnc || !tenant || tenant.status === 'uninstalled') return { kind: 'dead', error: 'the integration is not installed on the account' };
  const template = await findVersioned<TemplateSettings>(ctx.db, TEMPLATES, job.tenantId, p.templateId);
  if (!template) return { kind: 'dead', error: 'the template of the Digital Pipeline action was deleted' };
  const [lead] = await ctx.api.leadsByIds(job.tenantId, [p.leadId]);
  if (!lead) return { kind: 'done' };
  const contacts = await readContacts(ctx, job.tenantId, [lead]);
  const intake = toContactInput(lead, contacts, { country: template.body.country });
  if (!intake.ok) {
    // Recorded first: a retry of a failed note never takes the lead in; the note is a courtesy.
    if (await markProcessed(ctx, job.tenantId, p.eventKey, null)) await ctl.checkpoint({ noPhoneNote: true });
    await ctx.api.addNote(job.tenantId, { entity_id: lead.id, note_type: 'common', params: { text: t(tenant.locale, 'amocrm.note.no_phone', { template: template.name }) } });
    return { kind: 'done', state: { noPhoneNote: false } };
  }
  const contact = intake.contact;
  if (p.pipelineId && p.statusId) contact.crm = { ...contact.crm, stage: { pipelineId: p.pipelineId, statusId: p.statusId } };
  await withTransaction(ctx.db, async (tx) => {
    const row = await tx.query<{ processed_at: Date | null }>('SELECT processed_at FROM amo_dp_events WHERE tenant_id = $1 AND event_key = $2 FOR UPDATE', [job.tenantId, p.eventKey]);
    if (!row.rows[0] || row.rows[0].processed_at) return;
    const { contactId } = await addToPipelineCampaign(ctx, tx, { tenantId: job.tenantId, templateId: p.templateId, templateName: template.name, maxAttempts: p.maxAttempts, lng: tenant.locale }, contact);
    await markProcessed(ctx, job.tenantId, p.eventKey, contactId, tx);
  });
  ctx.wake.dispatcher();
  return { kind: 'done' };
}
