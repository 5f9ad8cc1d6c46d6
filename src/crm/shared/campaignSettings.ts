import type { CampaignSettingsInput } from '../../core/campaign.js';

/**
 * Settings of a campaign a CRM starts (a robot, a pipeline stage, a "call now"): the install's pace,
 * around the clock as far as the campaign goes — the template's calling window decides.
 */
export function crmCampaignSettings(
  s: { maxConcurrent: number; intensity: CampaignSettingsInput['intensity']; notifyEmails?: CampaignSettingsInput['notifyEmails'] },
  o: { maxAttempts?: number | null | undefined; completeWhenDone: boolean },
): CampaignSettingsInput {
  return {
    maxConcurrent: s.maxConcurrent,
    intensity: s.intensity,
    window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' },
    ...(o.maxAttempts ? { attempts: { initial: 1, max: o.maxAttempts } } : {}),
    completeWhenDone: o.completeWhenDone,
    ...(s.notifyEmails !== undefined ? { notifyEmails: s.notifyEmails } : {}),
  };
}
