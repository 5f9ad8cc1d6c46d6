import { z } from 'zod';
import { campaignSettingsSchema, canDo, type CampaignAction, type PauseReason } from '../../core/campaign.js';
import { conflict, DomainError, notFound, validationFailed } from '../../core/errors.js';
import type { TemplateSettings } from '../../core/template.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { withTransaction, type Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import {
  findCampaign,
  findCampaignById,
  insertCampaign,
  markCampaignDeleted,
  setCampaignStatus,
  updateCampaignConditions,
  type Campaign,
  type CampaignSource,
} from '../../store/repositories/campaigns.js';
import { findVersioned, TEMPLATES } from '../../store/repositories/versioned.js';
import { startOf } from './addContacts.js';
import { withCampaignDefaults } from '../console/tenantSettings.js';
import { budgetLeft } from './budget.js';
import { cancelOpenNumbers } from './cancelNumbers.js';
import { notifyCampaignStatus } from './notifyStatus.js';
import { replanOpenNumbers } from './replan.js';

/**
 * A campaign's life (J4, J5, J7): created to start now or at a time, scheduled → running ⇄ paused →
 * completed; conditions editable only while scheduled or paused; a resume refused while the cause of
 * an automatic pause remains; deletion at any time (calls in progress finish, nothing new starts).
 */
export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    templateId: z.uuid(),
    settings: campaignSettingsSchema.default(campaignSettingsSchema.parse({})),
    /** Start now, or at this moment (ISO 8601 with offset). */
    startAt: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .strict();
export type CampaignInput = z.input<typeof campaignInputSchema>;

/**
 * A PATCH: every field optional; `settings` names only the conditions that change (merged over the
 * current ones, then validated whole), so changing the window does not reset the e-mails or the webhook.
 */
export const campaignEditSchema = z
  .object({
    name: campaignInputSchema.shape.name.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    startAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

function refuse(c: Campaign, action: CampaignAction): never {
  throw conflict(action === 'edit' ? 'errors.campaign_not_editable' : 'errors.campaign_action_refused', {
    statusKey: `campaign.status.${c.status}`,
    actionKey: `campaign.action.${action}`,
  });
}

export async function createCampaign(
  app: AppContext,
  tenantId: string,
  userId: string | null,
  input: unknown,
  source: CampaignSource = { kind: 'console' },
  tx?: Queryable,
): Promise<Campaign> {
  // The account's default webhook URL and e-mail recipients, where the request names none.
  const v = parseInput(campaignInputSchema, await withCampaignDefaults(tx ?? app.db, tenantId, input));
  const run = async (db: Queryable) => {
    const template = await findVersioned<TemplateSettings>(db, TEMPLATES, tenantId, v.templateId);
    if (!template) throw validationFailed([{ path: 'templateId', key: 'validation.reference_not_found', params: { id: v.templateId } }]);
    const now = app.clock.now();
    const startAt = v.startAt ? new Date(v.startAt) : null;
    const scheduled = startAt !== null && startAt > now;
    return insertCampaign(db, {
      id: newId(),
      tenantId,
      name: v.name,
      templateId: v.templateId,
      status: scheduled ? 'scheduled' : 'running',
      settings: v.settings,
      source,
      startAt,
      createdBy: userId,
      now,
    });
  };
  const campaign = tx ? await run(tx) : await withTransaction(app.db, run);
  if (campaign.status === 'scheduled' && campaign.startAt) await app.schedule.campaignStart(campaign.id, campaign.startAt);
  app.wake.dispatcher();
  return campaign;
}

export async function getCampaign(app: AppContext, tenantId: string, id: string): Promise<Campaign> {
  const c = await findCampaign(app.db, tenantId, id);
  if (!c) throw notFound('campaign', id);
  return c;
}

/** Changes the conditions (J7): only while scheduled or paused; open numbers are re-planned. */
export async function editCampaign(app: AppContext, tenantId: string, id: string, input: unknown, expectedVersion?: number): Promise<Campaign> {
  const v = parseInput(campaignEditSchema, input);
  const updated = await withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    if (!canDo(c.status, 'edit')) refuse(c, 'edit');
    if (expectedVersion !== undefined && c.version !== expectedVersion) throw conflict('errors.stale_version', { expected: expectedVersion });
    const startAt = v.startAt === undefined ? c.startAt : v.startAt === null ? null : new Date(v.startAt);
    const settings = v.settings ? parseInput(campaignSettingsSchema, { ...c.settings, ...v.settings }, 'settings') : c.settings;
    const now = app.clock.now();
    const saved = await updateCampaignConditions(tx, id, { name: v.name ?? c.name, settings, startAt, now });
    // A moved start moves the first call of numbers added while scheduled (they waited for the old one).
    if (saved.status === 'scheduled' && startAt?.getTime() !== c.startAt?.getTime()) await readyNewNumbersAt(tx, id, startOf(saved, now));
    return saved;
  });
  await replanOpenNumbers(app, updated);
  if (updated.status === 'scheduled' && updated.startAt) await app.schedule.campaignStart(updated.id, updated.startAt);
  app.wake.dispatcher();
  return updated;
}

/** Numbers never called yet may be called from `at` (the re-plan that follows finds their window). */
async function readyNewNumbersAt(tx: Queryable, campaignId: string, at: Date): Promise<void> {
  await tx.query(`UPDATE campaign_numbers SET ready_at = $2 WHERE campaign_id = $1 AND status = 'new' AND attempts_made = 0 AND ready_at <> $2`, [campaignId, at]);
}

export async function startCampaign(app: AppContext, tenantId: string, id: string): Promise<Campaign> {
  const c = await withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    if (c.status === 'running') return c;
    if (!canDo(c.status, 'start')) refuse(c, 'start');
    const now = app.clock.now();
    // Numbers added while scheduled waited for the planned start: "start now" means now for them too.
    await readyNewNumbersAt(tx, id, now);
    return setCampaignStatus(tx, id, { status: 'running', reason: null, now });
  });
  await replanOpenNumbers(app, c);
  app.wake.dispatcher();
  return c;
}

export async function pauseCampaign(app: AppContext, tenantId: string, id: string, actor: string | null): Promise<Campaign> {
  return withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    if (c.status === 'paused') return c;
    if (!canDo(c.status, 'pause')) refuse(c, 'pause');
    const paused = await setCampaignStatus(tx, id, { status: 'paused', reason: 'manual', detail: actor, now: app.clock.now() });
    await notifyCampaignStatus(app, tx, paused, 'paused');
    return paused;
  });
}

/** Why a paused campaign may not run yet, or null when the cause is gone. */
async function blockingCause(app: AppContext, tx: Queryable, c: Campaign): Promise<PauseReason | null> {
  const template = await findVersioned<TemplateSettings>(tx, TEMPLATES, c.tenantId, c.templateId);
  if (!template) return 'channel_deleted';
  if ((await budgetLeft(tx, c.tenantId, app.clock.now())) <= 0) return 'limits_exhausted';
  const tenant = await tx.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [c.tenantId]);
  if (tenant.rows[0]?.status === 'needs_reauth') return 'crm_needs_reauth';
  if (tenant.rows[0]?.status === 'api_blocked') return 'crm_api_blocked';
  if (tenant.rows[0]?.status === 'uninstalled') return 'crm_uninstalled';
  return null;
}

export async function resumeCampaign(app: AppContext, tenantId: string, id: string): Promise<Campaign> {
  const c = await withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    if (c.status === 'running') return c;
    if (!canDo(c.status, 'resume')) refuse(c, 'resume');
    const cause = await blockingCause(app, tx, c);
    if (cause) throw new DomainError('conflict', 'errors.campaign_resume_blocked', { reasonKey: `email.reason.${cause}` }, [], { reason: cause });
    // Paused before its start time: back to waiting for that moment, not running early.
    const now = app.clock.now();
    if (c.startAt && c.startAt > now) return setCampaignStatus(tx, id, { status: 'scheduled', reason: null, now });
    return setCampaignStatus(tx, id, { status: 'running', reason: null, now });
  });
  await replanOpenNumbers(app, c);
  app.wake.dispatcher();
  return c;
}

/** Completes a campaign; numbers not yet finished are cancelled (calls in progress end normally). */
export async function completeCampaign(app: AppContext, tenantId: string, id: string, actor: string | null): Promise<Campaign> {
  return withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    if (c.status === 'completed') return c;
    const done = await setCampaignStatus(tx, id, { status: 'completed', reason: 'manual', detail: actor, now: app.clock.now() });
    await cancelOpenNumbers(app, tx, done);
    await notifyCampaignStatus(app, tx, done, 'completed');
    return done;
  });
}

export async function deleteCampaign(app: AppContext, tenantId: string, id: string): Promise<void> {
  await withTransaction(app.db, async (tx) => {
    const c = await findCampaign(tx, tenantId, id, { forUpdate: true });
    if (!c) throw notFound('campaign', id);
    await markCampaignDeleted(tx, id, app.clock.now());
    await cancelOpenNumbers(app, tx, c);
  });
}

/**
 * Automatic pause (J6) from inside another transaction: technical errors in a row, the minute budget
 * used up, the template (channel) deleted, the CRM needing re-authorisation.
 */
export async function autoPause(app: AppContext, tx: Queryable, campaignId: string, reason: PauseReason, detail: string | null): Promise<Campaign | undefined> {
  const c = await findCampaignById(tx, campaignId, { forUpdate: true });
  if (!c || c.deletedAt || (c.status !== 'running' && c.status !== 'scheduled')) return undefined;
  const paused = await setCampaignStatus(tx, c.id, { status: 'paused', reason, detail, now: app.clock.now() });
  await notifyCampaignStatus(app, tx, paused, 'paused');
  app.log.warn({ tenantId: c.tenantId, campaignId, reason, detail }, 'campaign paused automatically');
  return paused;
}
