import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import { findCampaign } from '../../../src/store/repositories/campaigns.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { b24Jobs, settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/** ONAPPUNINSTALL (C1): campaigns stop, tokens are erased, data kept or erased per data[CLEAN]. */
let h: B24Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** A portal with a robot campaign still waiting to call again (busy, redial in 15 minutes). */
async function portalWithRunningCampaign(): Promise<{ portal: Portal; tenantId: string; campaignId: string }> {
  const portal = await h.newPortal({ rateLimit: null });
  const tenantId = await h.install(portal);
  const deal = portal.addDeal({ title: 'Busy', contactIds: [portal.addContact({ name: 'B', phones: ['+79000000001'] })] });
  await portal.runRobot({ code: portal.robots()[0]!.code, document: `DEAL_${deal}` });
  const campaignId = await waitFor('the robot campaign', async () => (await h.app.db.query<{ campaign_id: string }>(`SELECT campaign_id FROM b24_robot_runs WHERE tenant_id = $1 AND campaign_id IS NOT NULL`, [tenantId])).rows[0]?.campaign_id);
  await waitFor('the first call to end', async () => (await h.app.db.query(`SELECT 1 FROM campaign_numbers WHERE campaign_id = $1 AND status = 'callback'`, [campaignId])).rows.length > 0);
  await settleOutbox(h.app, tenantId);
  return { portal, tenantId, campaignId };
}

describe('uninstall', () => {
  it('stops the portal\'s campaigns (reason uninstalled), erases the tokens, keeps the data without CLEAN', async () => {
    const { portal, tenantId, campaignId } = await portalWithRunningCampaign();
    await portal.uninstallApp({ clean: false });
    await portal.flush();
    expect(portal.outbound('event').find((e) => e.name === 'ONAPPUNINSTALL')?.status).toBe(200);
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'completed', statusReason: 'uninstalled' });
    const open = await h.app.db.query(`SELECT 1 FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new', 'callback', 'dialing')`, [campaignId]);
    expect(open.rows).toHaveLength(0);
    const row = await findPortalByMember(h.app.db, portal.memberId);
    expect(row).toMatchObject({ accessTokenEnc: null, refreshTokenEnc: null, applicationTokenEnc: null });
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('uninstalled');
    // Nothing left trying to reach the portal.
    expect((await b24Jobs(h.app, tenantId)).filter((j) => j.status === 'pending')).toHaveLength(0);
    // The call history is kept.
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows.length).toBeGreaterThan(0);
    // The old application token opens nothing any more.
    const replay = await fetch(`${h.t.url}/bitrix24/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: portal.outbound('event').find((e) => e.name === 'ONAPPUNINSTALL')!.rawBody,
    });
    expect(replay.status).toBe(403);
  });

  it('with CLEAN erases everything Dozvon kept for the portal', async () => {
    const { portal, tenantId } = await portalWithRunningCampaign();
    await portal.uninstallApp({ clean: true });
    await portal.flush();
    expect(await findTenant(h.app.db, tenantId)).toBeUndefined();
    expect(await findPortalByMember(h.app.db, portal.memberId)).toBeUndefined();
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows).toHaveLength(0);
  });
});
