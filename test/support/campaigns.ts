import { expect } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { createTemplate } from '../../src/engine/catalog/templates.js';
import { createCampaign } from '../../src/engine/campaigns/lifecycle.js';
import { addNumbers } from '../../src/engine/campaigns/addNumbers.js';
import type { Campaign } from '../../src/store/repositories/campaigns.js';
import { listVersioned, SCENARIOS } from '../../src/store/repositories/versioned.js';
import type { TemplateSettingsInput } from '../../src/core/template.js';
import type { CampaignSettingsInput } from '../../src/core/campaign.js';

/** Campaign fixtures for engine tests: a template and a campaign that may call around the clock unless told otherwise. */
export const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' };

export async function makeTemplate(app: AppContext, tenantId: string, patch: Partial<TemplateSettingsInput> = {}): Promise<string> {
  const scenarios = await listVersioned(app.db, SCENARIOS, tenantId);
  const t = await createTemplate(app, tenantId, null, {
    name: `T ${Math.random().toString(36).slice(2, 8)}`,
    scenarioId: scenarios[0]!.id,
    callingWindow: { from: '00:00', to: '23:59' },
    amd: { mode: 'background', greetingId: null },
    genderDetection: true,
    redial: { mode: 'none' },
    ...patch,
  });
  return t.id;
}

export async function makeCampaign(
  app: AppContext,
  tenantId: string,
  templateId: string,
  settings: CampaignSettingsInput = {},
  phones: (string | string[])[] = [],
  o: { startAt?: Date } = {},
): Promise<Campaign> {
  // Fast pacing by default: the dispatcher spaces real call starts by 1/intensity, and tests move a
  // manual clock much faster than real time.
  const c = await createCampaign(app, tenantId, null, {
    name: 'Test campaign',
    templateId,
    settings: { window: ALWAYS, intensity: 50, ...settings },
    ...(o.startAt ? { startAt: o.startAt.toISOString() } : {}),
  });
  if (phones.length) {
    const r = await addNumbers(app, tenantId, c.id, phones.map((p, i) => (Array.isArray(p) ? { phones: p, externalId: `c${i}` } : { phone: p, externalId: `c${i}` })));
    expect(r.invalid).toBe(0);
  }
  return c;
}

export async function numberStatuses(app: AppContext, campaignId: string): Promise<Record<string, string>> {
  const r = await app.db.query<{ phone: string; status: string }>('SELECT phone, status FROM campaign_numbers WHERE campaign_id = $1', [campaignId]);
  return Object.fromEntries(r.rows.map((x) => [x.phone, x.status]));
}

/** Waits (real time, bounded) until no number of the campaign is in a call. */
export async function settle(app: AppContext, campaignId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await app.db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND status = 'dialing'`, [campaignId]);
    if (Number(r.rows[0]!.n) === 0) return;
    if (Date.now() > deadline) throw new Error('numbers still dialing after the deadline');
    await new Promise((res) => setTimeout(res, 50));
  }
}
