import { z } from 'zod';
import { validationFailed } from '../../../core/errors.js';
import type { TemplateSettings } from '../../../core/template.js';
import { parseInput } from '../../../core/validation.js';
import { createCampaign } from '../../../engine/campaigns/lifecycle.js';
import { t } from '../../../i18n.js';
import { withTransaction } from '../../../store/db.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import { enqueueB24 } from '../jobs.js';
import { portalSettings } from '../portalSettings.js';
import { crmCampaignSettings } from '../../shared/campaignSettings.js';
import { insertIntake, type BulkEntity } from '../store/intakes.js';

/**
 * "Call these deals / leads with template T" (the deal tab's Call now, the list menu) and "call
 * every deal / lead matching this filter" (bulk campaigns) — C3, C5. Each creates a campaign of
 * its own right away and queues the intake that fills it from the portal; the answer does not
 * wait for thousands of records to be read.
 */
const filterKey = z.string().regex(/^[<>=!@%]{0,3}[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'validation.invalid_format' });
const filterValue = z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.union([z.string().max(500), z.number()])).max(500)]);

export const callIdsSchema = z
  .object({
    templateId: z.uuid(),
    entity: z.enum(['deal', 'lead']),
    ids: z.array(z.number().int().positive()).min(1).max(10_000),
    /** Calls per number, redials included; default: the template's rules. */
    maxAttempts: z.number().int().min(1).max(99).optional(),
  })
  .strict();

export const callFilterSchema = z
  .object({
    templateId: z.uuid(),
    entity: z.enum(['deal', 'lead']),
    /** Any CRM filter in classic syntax: `{"STAGE_ID": "NEW", ">OPPORTUNITY": 1000, "UF_CRM_CITY": "Moscow"}`. */
    filter: z.record(filterKey, filterValue).default({}),
    /** Shortcut for deals: `STAGE_ID`. */
    stageId: z.string().max(50).optional(),
    /** Shortcut for deals: `CATEGORY_ID` (pipeline). */
    categoryId: z.number().int().min(0).optional(),
    /** Shortcut for leads: `STATUS_ID`. */
    statusId: z.string().max(50).optional(),
    maxAttempts: z.number().int().min(1).max(99).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v.filter).length <= 20, { message: 'validation.too_big_other', path: ['filter'] });

export interface StartedCalls {
  campaignId: string;
  name: string;
}

async function start(
  b24: B24Context,
  tenantId: string,
  p: { templateId: string; entity: BulkEntity; kind: 'ids' | 'filter'; spec: Record<string, unknown>; maxAttempts: number | undefined; nameKey: string; count?: number },
): Promise<StartedCalls> {
  const { app } = b24;
  const template = await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId, p.templateId);
  if (!template) throw validationFailed([{ path: 'templateId', key: 'validation.reference_not_found', params: { id: p.templateId } }]);
  const tenant = await findTenant(app.db, tenantId);
  const lng = tenant?.locale ?? 'en';
  const name = t(lng, p.nameKey, { template: template.name, count: p.count ?? 0, entity: t(lng, `bitrix24.entity.${p.entity}`) });
  // Not "complete when done" yet: the campaign could run dry between two intake pages.
  const settings = crmCampaignSettings(await portalSettings(app.db, tenantId), { maxAttempts: p.maxAttempts, completeWhenDone: false });
  const started = await withTransaction(app.db, async (tx) => {
    const c = await createCampaign(app, tenantId, null, { name, templateId: p.templateId, settings }, { kind: 'bitrix24', trigger: p.kind === 'ids' ? 'selection' : 'filter' }, tx);
    await insertIntake(tx, { campaignId: c.id, tenantId, kind: p.kind, entity: p.entity, spec: p.spec });
    await enqueueB24(app, tx, {
      tenantId,
      kind: 'intake',
      key: `b24:intake:${c.id}:0`,
      partition: `b24:${tenantId}:intake:${c.id}`,
      payload: { campaignId: c.id },
    });
    return { campaignId: c.id, name };
  });
  app.wake.outbox();
  return started;
}

export async function callIds(b24: B24Context, tenantId: string, input: unknown): Promise<StartedCalls> {
  const v = parseInput(callIdsSchema, input);
  return start(b24, tenantId, {
    templateId: v.templateId,
    entity: v.entity,
    kind: 'ids',
    spec: { ids: [...new Set(v.ids)] },
    maxAttempts: v.maxAttempts,
    nameKey: `bitrix24.campaign.selection_${v.entity}`,
    count: new Set(v.ids).size,
  });
}

export async function callByFilter(b24: B24Context, tenantId: string, input: unknown): Promise<StartedCalls> {
  const v = parseInput(callFilterSchema, input);
  const filter: Record<string, unknown> = { ...v.filter };
  if (v.entity === 'deal' && v.stageId !== undefined) filter.STAGE_ID = v.stageId;
  if (v.entity === 'deal' && v.categoryId !== undefined) filter.CATEGORY_ID = v.categoryId;
  if (v.entity === 'lead' && v.statusId !== undefined) filter.STATUS_ID = v.statusId;
  return start(b24, tenantId, { templateId: v.templateId, entity: v.entity, kind: 'filter', spec: { filter }, maxAttempts: v.maxAttempts, nameKey: 'bitrix24.campaign.filter_name' });
}
