import { findCampaignWithTemplateVersion, type Campaign } from '../../store/repositories/campaigns.js';
import type { RedialRules } from '../../core/redial.js';
import type { TemplateSettings } from '../../core/template.js';
import type { Queryable } from '../../store/db.js';
import { redialRuleSets } from '../../store/repositories/catalog.js';
import { findVersioned, TEMPLATES, type Versioned } from '../../store/repositories/versioned.js';
import { templateVersion } from '../callVersions.js';
import { WindowPlanner } from './windowPlanner.js';

/**
 * What the engine needs to act for a campaign: its template's current version (scenario edits and
 * template changes take effect on the next call), the resolved redial rules and a window planner.
 */
export interface CampaignRuntime {
  campaign: Campaign;
  template: Versioned<TemplateSettings> | undefined;
  rules: RedialRules;
  planner: WindowPlanner;
  /** Calls started per second: the campaign's override or the template's intensity (T7). */
  intensity: number;
}

export async function resolveRedialRules(db: Queryable, tenantId: string, t: TemplateSettings): Promise<RedialRules> {
  switch (t.redial.mode) {
    case 'none':
      return {};
    case 'inline':
      return t.redial.rules;
    case 'set':
      return (await redialRuleSets.find(db, tenantId, t.redial.setId))?.rules ?? {};
  }
}

export async function loadRuntime(db: Queryable, campaign: Campaign): Promise<CampaignRuntime> {
  const template = await findVersioned<TemplateSettings>(db, TEMPLATES, campaign.tenantId, campaign.templateId);
  return { template, ...(await rulesAndPlanner(db, campaign, template?.body)) };
}

/**
 * What a call's end needs of its campaign: the campaign as it is now, its redial rules and window
 * planner. The template's current version is found with the campaign (one statement) and its body
 * read from the process's cache of versions, which never change once written.
 */
export async function loadCompletionRuntime(db: Queryable, campaignId: string): Promise<Omit<CampaignRuntime, 'template'> | undefined> {
  const found = await findCampaignWithTemplateVersion(db, campaignId);
  if (!found) return undefined;
  const settings = found.templateVersionId ? await templateVersion(db, found.templateVersionId) : undefined;
  return rulesAndPlanner(db, found.campaign, settings);
}

async function rulesAndPlanner(db: Queryable, campaign: Campaign, settings: Readonly<TemplateSettings> | undefined): Promise<Omit<CampaignRuntime, 'template'>> {
  return {
    campaign,
    rules: settings ? await resolveRedialRules(db, campaign.tenantId, settings) : {},
    planner: new WindowPlanner(campaign.settings, settings ?? { callingWindow: { from: '00:00', to: '23:59' } }),
    intensity: campaign.settings.intensity ?? settings?.intensity ?? 1,
  };
}
