import type { AppContext } from '../../../context.js';
import { addContacts, type ContactInput } from '../../../engine/campaigns/addContacts.js';
import { createCampaign } from '../../../engine/campaigns/lifecycle.js';
import { loadRuntime } from '../../../engine/campaigns/runtime.js';
import { t, type Locale } from '../../../i18n.js';
import type { Queryable } from '../../../store/db.js';
import { findCampaignById, setCampaignStatus, type Campaign } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import { portalSettings } from '../portalSettings.js';
import { crmCampaignSettings } from '../../shared/campaignSettings.js';
import { lockRobotCampaign, setRobotCampaign } from '../store/robots.js';

/**
 * Robot runs of one template share a long-lived "robot campaign", so pacing, the calling window and
 * redial rules apply across every deal that reaches the stage. A campaign holds each phone once:
 * when a run's phones are all already in it (the same deal came back to the stage, two deals share
 * a contact), the run opens a fresh robot campaign, which becomes the template's current one; the
 * old one is completed once nothing in it is open (see writeback/hooks.ts).
 */
export interface RobotCampaignKey {
  tenantId: string;
  templateId: string;
  templateName: string;
  /** The robot's "calls per number" property; runs with different limits need different campaigns. */
  maxAttempts: number | undefined;
  lng: Locale;
}

const variantOf = (k: RobotCampaignKey) => `max:${k.maxAttempts ?? 'template'}`;

async function openNew(app: AppContext, tx: Queryable, k: RobotCampaignKey): Promise<Campaign> {
  const settings = crmCampaignSettings(await portalSettings(tx, k.tenantId), { maxAttempts: k.maxAttempts, completeWhenDone: false });
  const name = t(k.lng, 'bitrix24.campaign.robot_name', { template: k.templateName });
  const c = await createCampaign(app, k.tenantId, null, { name, templateId: k.templateId, settings }, { kind: 'bitrix24', trigger: 'robot' }, tx);
  await setRobotCampaign(tx, k.tenantId, k.templateId, variantOf(k), c.id);
  return c;
}

/** Adds one run's contact; returns the campaign and the new contact's id. */
export async function addToRobotCampaign(app: AppContext, tx: Queryable, k: RobotCampaignKey, contact: ContactInput): Promise<{ campaign: Campaign; contactId: string }> {
  const currentId = await lockRobotCampaign(tx, k.tenantId, k.templateId, variantOf(k));
  const current = currentId ? await findCampaignById(tx, currentId) : undefined;
  if (current) {
    const added = await addContacts(app, tx, await loadRuntime(tx, current), [contact]);
    const id = added.contactIds[0];
    if (id) return { campaign: current, contactId: id };
  }
  const fresh = await openNew(app, tx, k);
  const added = await addContacts(app, tx, await loadRuntime(tx, fresh), [contact]);
  if (current && (await countOpenNumbers(tx, current.id)) === 0) {
    await setCampaignStatus(tx, current.id, { status: 'completed', reason: 'all_done', now: app.clock.now() });
  }
  return { campaign: fresh, contactId: added.contactIds[0]! };
}
