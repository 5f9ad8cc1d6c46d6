import { z } from 'zod';
import { conflict, notFound, validationFailed, type FieldIssue } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { parseInput, toFieldIssues } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { VARIABLE_NAME } from '../../scenario/variables.js';
import { withTransaction } from '../../store/db.js';
import { findCampaign } from '../../store/repositories/campaigns.js';
import { addContacts, type ContactInput } from './addContacts.js';
import { loadRuntime } from './runtime.js';

/**
 * Calls API (J8): add one client or a batch, each with one or several phones, scenario variables
 * and an external id that is echoed back. Valid items are added; each invalid one is reported with
 * its index and reasons; a phone already in the campaign is reported as a duplicate.
 */
export const numberItemSchema = z
  .object({
    phone: z.string().min(1).max(40).optional(),
    phones: z.array(z.string().min(1).max(40)).min(1).max(10).optional(),
    variables: z.record(z.string().regex(VARIABLE_NAME, { message: 'validation.variable_name' }), z.union([z.string().max(1000), z.number()]).transform(String)).default({}),
    externalId: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((v) => v.phone !== undefined || v.phones !== undefined, { message: 'validation.phone_required', path: ['phone'] });

export const numberBatchSchema = z.object({ items: z.array(z.unknown()).min(1).max(10_000) }).strict();

export interface ItemResult {
  index: number;
  externalId: string | null;
  status: 'added' | 'duplicate' | 'invalid';
  contactId?: string;
  phones?: string[];
  errors?: { path: string; key: string; params?: Record<string, unknown> }[];
}

export async function addNumbers(
  app: AppContext,
  tenantId: string,
  campaignId: string,
  rawItems: unknown[],
  o: { single?: boolean } = {},
): Promise<{ added: number; duplicates: number; invalid: number; items: ItemResult[] }> {
  const campaign = await findCampaign(app.db, tenantId, campaignId);
  if (!campaign) throw notFound('campaign', campaignId);
  if (campaign.status === 'completed') throw conflict('errors.campaign_completed_add');
  const rt = await loadRuntime(app.db, campaign);
  const country = rt.template?.body.country ?? 'RU';
  const results: ItemResult[] = [];
  const valid: { index: number; input: ContactInput }[] = [];
  rawItems.forEach((raw, index) => {
    const parsed = numberItemSchema.safeParse(raw);
    if (!parsed.success) {
      results[index] = { index, externalId: externalIdOf(raw), status: 'invalid', errors: toFieldIssues(parsed.error) };
      return;
    }
    const v = parsed.data;
    const errors: FieldIssue[] = [];
    const phones: string[] = [];
    for (const [i, p] of (v.phones ?? [v.phone!]).entries()) {
      const n = normalizePhone(p, country);
      if (n.ok) phones.push(n.e164);
      else errors.push({ path: v.phones ? `phones.${i}` : 'phone', key: `phone.${n.reason}`, params: { value: p } });
    }
    if (phones.length === 0) {
      results[index] = { index, externalId: v.externalId ?? null, status: 'invalid', errors };
      return;
    }
    valid.push({ index, input: { phones, variables: v.variables, externalId: v.externalId ?? null } });
    results[index] = { index, externalId: v.externalId ?? null, status: 'added', phones, ...(errors.length ? { errors } : {}) };
  });
  // One client (POST …/numbers) that cannot be added is a 422; a batch reports its items instead.
  if (o.single && valid.length === 0) throw validationFailed(results[0]!.errors ?? []);
  const r = await withTransaction(app.db, (tx) => addContacts(app, tx, rt, valid.map((v) => v.input)));
  const dup = new Set(r.duplicatePhones);
  valid.forEach((v, i) => {
    const id = r.contactIds[i];
    const res = results[v.index]!;
    if (id) res.contactId = id;
    else res.status = 'duplicate';
    if (res.phones) res.phones = res.phones.filter((p) => !dup.has(p) || !id);
  });
  app.wake.dispatcher();
  return {
    added: results.filter((x) => x.status === 'added').length,
    duplicates: results.filter((x) => x.status === 'duplicate').length,
    invalid: results.filter((x) => x.status === 'invalid').length,
    items: results,
  };
}

function externalIdOf(raw: unknown): string | null {
  const e = (raw as { externalId?: unknown } | null)?.externalId;
  return typeof e === 'string' ? e : null;
}

export function parseBatch(input: unknown): unknown[] {
  return parseInput(numberBatchSchema, input).items;
}
