import type { ContactInput } from '../../../engine/campaigns/addContacts.js';
import { t, type Locale } from '../../../i18n.js';
import type { Queryable } from '../../../store/db.js';
import { findCampaignById, setCampaignStatus, type Campaign } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import type { AmoContext } from '../amoContext.js';
import { accountSettings } from '../accountSettings.js';
import { crmCampaignSettings } from '../../shared/campaignSettings.js';

/**
 * Leads a template's Digital Pipeline trigger sends share a long-lived "pipeline campaign", so
 * pacing, the calling window and redial rules apply across every lead that enters the stage. A
 * campaign holds each phone once: when a lead's phones are all in it already (the lead came back to
 * the stage, two leads share a contact), a fresh pipeline campaign opens and becomes the current
 * one; the old one completes once nothing in it is open.
 */
export interface PipelineCampaignKey {
  tenantId: string;
  templateId: string;
  templateName: string;
  maxAttempts: number | null;
  lng: Locale;
}

const variantOf = (k: PipelineCampaignKey) => `max:${k.maxAttempts ?? 'template'}`;

async function lockCurrent(tx: Queryable, k: PipelineCampaignKey): Promise<Campaign | undefined> {
  const r = await tx.query<{ campaign_id: string }>(
    `SELECT pc.campaign_id FROM amo_pipeline_campaigns pc JOIN campaigns c ON c.id = pc.campaign_id
     WHERE pc.tenant_id = $1 AND pc.template_id = $2 AND pc.variant = $3 AND c.deleted_at IS NULL AND c.status <> 'completed'
     FOR UPDATE OF pc`,
    [k.tenantId, k.templateId, variantOf(k)],
  );
  return r.rows[0] ? findCampaignById(tx, r.rows[0].campaign_id) : undefined;
}

async function openNew(ctx: AmoContext, tx: Queryable, k: PipelineCampaignKey): Promise<Campaign> {
  const settings = crmCampaignSettings(await accountSettings(tx, k.tenantId), { maxAttempts: k.maxAttempts, completeWhenDone: false });
  const c = await ctx.campaigns.create(tx, k.tenantId, { name: t(k.lng, 'amocrm.campaign.pipeline', { template: k.templateName }), templateId: k.templateId, settings }, 'pipeline');
  await tx.query(
    `INSERT INTO amo_pipeline_campaigns (tenant_id, template_id, variant, campaign_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, template_id, variant) DO UPDATE SET campaign_id = EXCLUDED.campaign_id`,
    [k.tenantId, k.templateId, variantOf(k), c.id],
  );
  return c;
}

export async function isCurrentPipelineCampaign(tx: Queryable, campaignId: string): Promise<boolean> {
  return (await tx.query('SELECT 1 FROM amo_pipeline_campaigns WHERE campaign_id = $1', [campaignId])).rows.length > 0;
}

/** Adds one lead's contact; returns the campaign and the new contact's id. */
export async function addToPipelineCampaign(ctx: AmoContext, tx: Queryable, k: PipelineCampaignKey, contact: ContactInput): Promise<{ campaign: Campaign; contactId: string }> {
  const current = await lockCurrent(tx, k);
  if (current) {
    const added = await ctx.campaigns.addContacts(tx, current, [contact]);
    const id = added.contactIds[0];
    if (id) return { campaign: current, contactId: id };
  }
  const fresh = await openNew(ctx, tx, k);
  const added = await ctx.campaigns.addContacts(tx, fresh, [contact]);
  if (current && (await countOpenNumbers(tx, current.id)) === 0) {
    await setCampaignStatus(tx, current.id, { status: 'completed', reason: 'all_done', now: ctx.clock.now() });
  }
  return { campaign: fresh, contactId: added.contactIds[0]! };
}
