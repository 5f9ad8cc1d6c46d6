import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from '../../fakes/twilio/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate, numberStatuses } from '../../support/campaigns.js';

/**
 * What calls cost: on each attempt (minutes × the configured rate here; Voximplant's are reported,
 * templatePlatforms.test.ts), summed in the campaign's statistics and counted against the month's
 * money budget, which pauses the campaigns once it is spent (J6).
 */
let emu: TwilioEmulator;
let t: TestApp;
beforeAll(async () => {
  emu = await startTwilioEmulator({ profile: 'twilio', timeScale: 0.01 });
  t = await startTestApp({ ...emu.env, VOICE_PLATFORM: 'twilio', TWILIO_PRICE_PER_MINUTE: '0.5', TWILIO_CURRENCY: 'USD', CRM_ALLOW_HTTP: 'true' });
});
afterAll(async () => {
  await t?.stop();
  await emu?.stop();
});

describe('call costs', () => {
  it('are kept per attempt, summed in statistics, and a spent money budget pauses the campaign', async () => {
    const app = t.dozvon.app;
    const put = await t.api('PUT', '/settings/limits', { minuteBudget: null, maxConcurrentCalls: 100, costBudget: { amount: 1, currency: 'USD' } });
    expect(put.status).toBe(200);
    const templateId = await makeTemplate(app, t.tenantId, { amd: { mode: 'off', greetingId: null } });
    const c = await makeCampaign(app, t.tenantId, templateId, { maxConcurrent: 1 }, ['+79000060004', '+79000070004', '+79000080004', '+79000090004']);
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await t.api<{ status: string }>('GET', `/campaigns/${c.id}`)).body.status;
      if (status === 'paused') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('paused');
    const campaign = await t.api<{ statusReason: string }>('GET', `/campaigns/${c.id}`);
    expect(campaign.body.statusReason).toBe('limits_exhausted');
    // Each answered call lasted under a minute: one started minute at 0.5 USD; the second spent the budget.
    const attempts = await app.db.query<{ cost: string; cost_currency: string }>(`SELECT cost, cost_currency FROM attempts WHERE campaign_id = $1 AND status = 'completed' AND placed`, [c.id]);
    expect(attempts.rows.map((r) => [Number(r.cost), r.cost_currency])).toEqual([
      [0.5, 'USD'],
      [0.5, 'USD'],
    ]);
    const stats = await t.api<{ costs: Record<string, number> }>('GET', `/campaigns/${c.id}/stats`);
    expect(stats.body.costs).toEqual({ USD: 1 });
    const usage = await t.api<{ costs: Record<string, number>; costBudget: unknown }>('GET', '/settings/limits');
    expect(usage.body).toMatchObject({ costs: { USD: 1 }, costBudget: { amount: 1, currency: 'USD' } });
    expect(Object.values(await numberStatuses(app, c.id)).filter((s) => s === 'answered')).toHaveLength(2);
    const resume = await t.api<{ error: { code: string } }>('POST', `/campaigns/${c.id}/resume`);
    expect(resume.status).toBe(409);
  }, 90_000);
});
