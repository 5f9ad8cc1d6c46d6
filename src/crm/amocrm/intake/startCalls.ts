import { z } from 'zod';
import { validationFailed } from '../../../core/errors.js';
import type { TemplateSettings } from '../../../core/template.js';
import { parseInput } from '../../../core/validation.js';
import { t } from '../../../i18n.js';
import { withTransaction } from '../../../store/db.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { AmoContext } from '../amoContext.js';
import { accountSettings } from '../accountSettings.js';
import { crmCampaignSettings } from '../../shared/campaignSettings.js';
import { enqueueAmo } from '../jobs.js';
import { insertIntake } from '../store/intakes.js';
import { filterSpecSchema } from './filterSpec.js';
import { readContacts, readLeadsByIds } from './readLeads.js';
import { toContactInput } from './toContactInput.js';

/**
 * "Call these leads with template T" (the card's Call now, the list's mass action) and "call every
 * lead matching this filter" (administrators) — C3, C5. Each creates a campaign of its own at once
 * and queues the intake that fills it from the account; the answer does not wait for thousands of
 * leads to be read. `max_attempts` is the same per-person limit as Bitrix24's "calls per number".
 */
export const callLeadsSchema = z
  .object({
    template_id: z.uuid(),
    lead_ids: z.array(z.number().int().positive()).min(1).max(10_000),
    max_attempts: z.number().int().min(1).max(99).optional(),
  })
  .strict();

export const callFilterSchema = z
  .object({ template_id: z.uuid(), filter: filterSpecSchema, max_attempts: z.number().int().min(1).max(99).optional() })
  .strict();

export interface StartedCalls {
  campaign_id: string;
  name: string;
}

async function start(
  ctx: AmoContext,
  tenantId: string,
  p: { templateId: string; kind: 'ids' | 'filter'; spec: Record<string, unknown>; maxAttempts: number | undefined; nameKey: string; count?: number; trigger: 'widget' | 'selection' },
): Promise<StartedCalls> {
  const template = await findVersioned<TemplateSettings>(ctx.db, TEMPLATES, tenantId, p.templateId);
  if (!template) throw validationFailed([{ path: 'template_id', key: 'validation.reference_not_found', params: { id: p.templateId } }]);
  const lng = (await findTenant(ctx.db, tenantId))?.locale ?? 'en';
  const name = t(lng, p.nameKey, { template: template.name, count: p.count ?? 0 });
  // Not "complete when done" yet: the campaign could run dry between two intake pages.
  const settings = crmCampaignSettings(await accountSettings(ctx.db, tenantId), { maxAttempts: p.maxAttempts, completeWhenDone: false });
  const started = await withTransaction(ctx.db, async (tx) => {
    const c = await ctx.campaigns.create(tx, tenantId, { name, templateId: p.templateId, settings }, p.trigger);
    await insertIntake(tx, { campaignId: c.id, tenantId, kind: p.kind, spec: p.spec });
    await enqueueAmo(ctx, tx, { tenantId, kind: 'intake', key: `amo:intake:${c.id}:{}`, partition: `amo:${tenantId}:intake:${c.id}`, payload: { campaignId: c.id } });
    return { campaign_id: c.id, name };
  });
  ctx.wake.outbox();
  return started;
}

export async function callLeads(ctx: AmoContext, tenantId: string, input: unknown): Promise<StartedCalls> {
  const v = parseInput(callLeadsSchema, input);
  const ids = [...new Set(v.lead_ids)];
  return start(ctx, tenantId, {
    templateId: v.template_id,
    kind: 'ids',
    spec: { ids },
    maxAttempts: v.max_attempts,
    nameKey: ids.length === 1 ? 'amocrm.campaign.one_lead' : 'amocrm.campaign.selection',
    count: ids.length,
    trigger: ids.length === 1 ? 'widget' : 'selection',
  });
}

export async function callByFilter(ctx: AmoContext, tenantId: string, input: unknown): Promise<StartedCalls> {
  const v = parseInput(callFilterSchema, input);
  return start(ctx, tenantId, { templateId: v.template_id, kind: 'filter', spec: { filter: v.filter }, maxAttempts: v.max_attempts, nameKey: 'amocrm.campaign.filter', trigger: 'selection' });
}

/**
 * What a confirmation says before calling a selection: how many leads, how many phones will be
 * called, how many leads have none — read from the account now (up to 500 leads; more are
 * counted as they are taken in).
 */
export const previewSchema = z.object({ lead_ids: z.array(z.number().int().positive()).min(1).max(10_000) }).strict();
export const PREVIEW_LIMIT = 500;

export async function previewCalls(ctx: AmoContext, tenantId: string, input: unknown, country: string): Promise<{ leads: number; counted: number; phones: number; without_phone: number; exact: boolean }> {
  const v = parseInput(previewSchema, input);
  const ids = [...new Set(v.lead_ids)].sort((a, b) => a - b);
  const counted = ids.slice(0, PREVIEW_LIMIT);
  const leads = await readLeadsByIds(ctx, tenantId, counted);
  const contacts = await readContacts(ctx, tenantId, leads);
  let phones = 0;
  let without = counted.length - leads.length;
  for (const l of leads) {
    const c = toContactInput(l, contacts, { country });
    if (c.ok) phones += c.contact.phones.length;
    else without++;
  }
  return { leads: ids.length, counted: counted.length, phones, without_phone: without, exact: counted.length === ids.length };
}
