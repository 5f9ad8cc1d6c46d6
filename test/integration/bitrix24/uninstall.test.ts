import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import { resumeCampaign } from '../../../src/engine/campaigns/lifecycle.js';
import { findCampaign } from '../../../src/store/repositories/campaigns.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { encodeForm, type Portal } from '../../fakes/bitrix24/index.js';
import { b24Jobs, settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';
import { freshDispatcherRound, freshOutboxRound } from '../../support/workerRounds.js';

/**
 * ONAPPUNINSTALL (C1): its application token alone never switches a portal off — the portal must
 * confirm the app is gone. Confirmed, the portal is disabled at once (no calls, no writes) and, with
 * data[CLEAN]=1, its data is erased only after a 30-day recovery window in which a reinstall
 * restores everything. Dozvon runs on a manual clock here, so the window passes without waiting.
 */
let h: B24Harness;
const clock = new ManualClock(Date.now());
const DAY = 24 * 3600_000;

beforeAll(async () => {
  h = await startHarness({}, { clock });
});
afterAll(async () => h?.stop());

/** A portal with a robot campaign still waiting to call again (busy, redial in 15 minutes). */
async function portalWithRunningCampaign(): Promise<{ portal: Portal; tenantId: string; campaignId: string }> {
  const portal = await h.newPortal({ rateLimit: null });
  const tenantId = await h.install(portal);
  const deal = portal.addDeal({ title: 'Busy', contactIds: [portal.addContact({ name: 'B', phones: ['+79000000001'] })] });
  await portal.runRobot({ code: portal.robots()[0]!.code, document: `DEAL_${deal}` });
  const campaignId = await waitFor('the robot campaign', async () => (await h.app.db.query<{ campaign_id: string }>(`SELECT campaign_id FROM b24_robot_runs WHERE tenant_id = $1 AND campaign_id IS NOT NULL`, [tenantId])).rows[0]?.campaign_id);
  // The clock is simulated: a start slot missed on a loaded machine needs time to pass for the next one.
  await waitFor('the first call to end', async () => {
    const ended = (await h.app.db.query(`SELECT 1 FROM campaign_numbers WHERE campaign_id = $1 AND status = 'callback'`, [campaignId])).rows.length > 0;
    if (!ended) clock.advance(200);
    return ended;
  });
  await settleOutbox(h.app, tenantId);
  return { portal, tenantId, campaignId };
}

const postEvent = (body: string) => fetch(`${h.t.url}/bitrix24/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

async function uninstalled(portal: Portal, tenantId: string, clean: boolean): Promise<void> {
  await portal.uninstallApp({ clean });
  await portal.flush();
  expect(portal.outbound('event').find((e) => e.name === 'ONAPPUNINSTALL')?.status).toBe(200);
  await waitFor('the uninstall to be confirmed', async () => (await findTenant(h.app.db, tenantId))?.status === 'uninstalled');
}

describe('an ONAPPUNINSTALL the portal does not confirm', () => {
  it('changes nothing, even with the right application token (leaked) and data[CLEAN]=1', async () => {
    const { portal, tenantId, campaignId } = await portalWithRunningCampaign();
    const forged = encodeForm({
      event: 'ONAPPUNINSTALL',
      data: { LANGUAGE_ID: 'en', CLEAN: '1' },
      ts: String(Math.floor(Date.now() / 1000)),
      auth: { domain: portal.domain, member_id: portal.memberId, application_token: portal.applicationToken },
    });
    const res = await postEvent(forged);
    // Accepted (Bitrix24 gets its answer at once), then checked with the portal: the app answers.
    expect(res.status).toBe(200);
    await settleOutbox(h.app, tenantId);
    expect((await b24Jobs(h.app, tenantId)).filter((j) => j.kind === 'portal.uninstall').map((j) => j.status)).toEqual(['done']);
    expect(portal.calls('app.info').at(-1)).toMatchObject({ status: 200 });
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    expect(await findPortalByMember(h.app.db, portal.memberId)).toMatchObject({ accessTokenEnc: expect.any(String), applicationTokenEnc: expect.any(String), purgeAfter: null });
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'running' });
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows.length).toBeGreaterThan(0);
  });

  it('a forged one with a wrong token → 403, nothing queued', async () => {
    const portal = await h.newPortal({ rateLimit: null });
    const tenantId = await h.install(portal);
    const res = await postEvent(encodeForm({ event: 'ONAPPUNINSTALL', data: { CLEAN: '1' }, auth: { member_id: portal.memberId, application_token: 'not-the-token' } }));
    expect(res.status).toBe(403);
    expect((await b24Jobs(h.app, tenantId)).filter((j) => j.kind === 'portal.uninstall')).toHaveLength(0);
  });
});

describe('a confirmed uninstall', () => {
  it('disables the portal at once: campaigns paused, tokens erased, nothing left to send; without CLEAN the data stays for good', async () => {
    const { portal, tenantId, campaignId } = await portalWithRunningCampaign();
    const callsBefore = portal.calls().length;
    await uninstalled(portal, tenantId, false);
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'paused', statusReason: 'crm_uninstalled' });
    expect(await findPortalByMember(h.app.db, portal.memberId)).toMatchObject({ accessTokenEnc: null, refreshTokenEnc: null, applicationTokenEnc: null, purgeAfter: null });
    expect((await b24Jobs(h.app, tenantId)).filter((j) => j.status === 'pending')).toHaveLength(0);
    // The confirmation asked the portal (refused: API access revoked) and the OAuth server (invalid_client).
    expect(portal.calls().slice(callsBefore).map((c) => [c.method, c.error])).toEqual([['app.info', 'NO_AUTH_FOUND']]);
    expect(h.emu.oauthRequests().at(-1)).toMatchObject({ memberId: portal.memberId, error: 'invalid_client' });
    // A campaign paused by the uninstall cannot be resumed by hand while the app is gone.
    await expect(resumeCampaign(h.app, tenantId, campaignId)).rejects.toMatchObject({ code: 'conflict', extra: { reason: 'crm_uninstalled' } });
    // Time passes: redials are due, but nothing calls a portal without the app.
    clock.advance(2 * 3600_000);
    await freshDispatcherRound(h.t.dozvon);
    expect((await h.app.db.query(`SELECT count(*)::int AS n FROM attempts WHERE campaign_id = $1`, [campaignId])).rows[0]).toEqual({ n: 1 });
    // The old application token opens nothing any more.
    expect((await postEvent(portal.outbound('event').find((e) => e.name === 'ONAPPUNINSTALL')!.rawBody)).status).toBe(403);
    // Without CLEAN nothing is scheduled for erasing.
    clock.advance(40 * DAY);
    h.app.wake.outbox();
    await settleOutbox(h.app, tenantId);
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows.length).toBeGreaterThan(0);
  });

  it('with CLEAN keeps everything for 30 days; a reinstall within them restores it and the paused campaign goes on', async () => {
    const { portal, tenantId, campaignId } = await portalWithRunningCampaign();
    await uninstalled(portal, tenantId, true);
    const row = await findPortalByMember(h.app.db, portal.memberId);
    expect(row?.purgeAfter?.getTime()).toBe(row!.uninstalledAt!.getTime() + 30 * DAY);
    clock.advance(29 * DAY);
    await freshOutboxRound(h.t.dozvon);
    expect(await findTenant(h.app.db, tenantId)).toMatchObject({ status: 'uninstalled' });

    expect(await h.install(portal)).toBe(tenantId);
    expect(await findTenant(h.app.db, tenantId)).toMatchObject({ status: 'active' });
    expect(await findPortalByMember(h.app.db, portal.memberId)).toMatchObject({ purgeAfter: null, uninstalledAt: null });
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'running' });
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows.length).toBeGreaterThan(0);
    // The old purge comes due and finds the portal installed again: it erases nothing.
    clock.advance(2 * DAY);
    h.app.wake.outbox();
    await waitFor('the old purge job to run', async () => (await b24Jobs(h.app, tenantId)).find((j) => j.kind === 'portal.purge')?.status === 'done');
    expect(await findTenant(h.app.db, tenantId)).toMatchObject({ status: 'active' });
  });

  it('with CLEAN and no reinstall, erases everything Dozvon kept for the portal when the window ends', async () => {
    const { portal, tenantId } = await portalWithRunningCampaign();
    await uninstalled(portal, tenantId, true);
    clock.advance(30 * DAY + 60_000);
    h.app.wake.outbox();
    await waitFor('the portal to be erased', async () => (await findTenant(h.app.db, tenantId)) === undefined);
    expect(await findPortalByMember(h.app.db, portal.memberId)).toBeUndefined();
    expect((await h.app.db.query('SELECT 1 FROM attempts WHERE tenant_id = $1', [tenantId])).rows).toHaveLength(0);
    expect((await h.app.db.query('SELECT 1 FROM outbox WHERE tenant_id = $1', [tenantId])).rows).toHaveLength(0);
  });
});
