import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../../../src/core/crypto.js';
import { createB24Context } from '../../../src/crm/bitrix24/b24Context.js';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import { findCampaign } from '../../../src/store/repositories/campaigns.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/**
 * C1 tokens: refresh tokens are single-use, so one portal is refreshed by one worker at a time
 * across every process (gotchas 5, 17); a refused refresh puts the portal in "needs
 * re-authorisation" and pauses its campaigns until an administrator opens the app.
 */
let h: B24Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** Other Dozvon processes on the same database: their own refresher and gateway, their own worker id. */
const otherProcesses = (n: number) =>
  Array.from({ length: n }, (_, i) => createB24Context(h.app, { clientId: h.emu.app.clientId, clientSecret: h.emu.app.clientSecret }, { workerId: `other-process-${i}` }));

describe('a token that expires mid-campaign', () => {
  it('is refreshed exactly once while several workers call the portal at the same moment', async () => {
    const portal = await h.newPortal({ rateLimit: null });
    const tenantId = await h.install(portal);
    const workers = [...otherProcesses(4)];
    const before = portal.refreshCount;
    portal.expireAllTokens();
    const results = await Promise.all(workers.flatMap((w) => Array.from({ length: 5 }, (_, i) => w.gateway.call(tenantId, 'crm.deal.list', { select: ['ID'], start: -1, filter: { '>ID': i } }))));
    expect(results).toHaveLength(20);
    expect(portal.refreshCount - before).toBe(1);
    expect(h.emu.oauthRequests().filter((r) => r.error === 'invalid_grant')).toHaveLength(0);
    for (const w of workers) w.gateway.stop();
  });

  it('robot runs in flight carry on after one refresh, their timelines complete', async () => {
    const portal = await h.newPortal({ rateLimit: null });
    const tenantId = await h.install(portal);
    const code = portal.robots()[0]!.code;
    const deals = ['4', '7', '1'].map((d) => portal.addDeal({ title: `D${d}`, contactIds: [portal.addContact({ name: 'X', phones: [`+7900000000${d}`] })] }));
    const before = portal.refreshCount;
    const flows = await Promise.all(deals.map((deal) => portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } })));
    // Expire as soon as the intakes are done: every write-back then meets a dead token.
    await waitFor('the robot intakes', async () => (await h.app.db.query(`SELECT 1 FROM b24_robot_runs WHERE status = 'calling' AND tenant_id = $1`, [tenantId])).rows.length === 3);
    portal.expireAllTokens();
    for (const wf of flows) expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    expect(portal.refreshCount - before).toBe(1);
    for (const deal of deals) expect(portal.timeline('deal', deal).filter((e) => e.kind === 'comment')).toHaveLength(1);
  });
});

describe('a portal issuing short-lived tokens', () => {
  it('is not refreshed before every request: the margin follows the token\'s lifetime (30 s → refresh in its last 6 s)', async () => {
    const portal = await h.newPortal({ rateLimit: null, accessTokenTtlSeconds: 30 });
    const tenantId = await h.install(portal);
    const before = portal.refreshCount;
    const [worker] = otherProcesses(1);
    for (let i = 0; i < 10; i++) await worker!.gateway.call(tenantId, 'crm.deal.list', { select: ['ID'], start: -1 });
    // A one-minute margin would refresh a 30-second token before each of these ten calls.
    expect(portal.refreshCount - before).toBe(0);
    expect(portal.calls('crm.deal.list').filter((c) => c.status === 200)).toHaveLength(10);
    worker!.gateway.stop();
  });

  it('an expired one is still refreshed exactly once when several processes meet it at the same moment', async () => {
    const portal = await h.newPortal({ rateLimit: null, accessTokenTtlSeconds: 30 });
    const tenantId = await h.install(portal);
    const workers = otherProcesses(4);
    const before = portal.refreshCount;
    portal.expireAllTokens();
    await Promise.all(workers.flatMap((w) => Array.from({ length: 5 }, () => w.gateway.call(tenantId, 'crm.deal.list', { select: ['ID'], start: -1 }))));
    expect(portal.refreshCount - before).toBe(1);
    expect(portal.calls().filter((c) => c.error === 'expired_token').length).toBeGreaterThan(0);
    expect(h.emu.oauthRequests().filter((r) => r.error === 'invalid_grant')).toHaveLength(0);
    for (const w of workers) w.gateway.stop();
  });
});

describe('a refresh token Bitrix24 no longer accepts', () => {
  it('marks the portal "needs re-authorisation", pauses its campaigns; an administrator opening the app restores both', async () => {
    const portal: Portal = await h.newPortal({ rateLimit: null });
    const tenantId = await h.install(portal);
    const code = portal.robots()[0]!.code;
    // A running campaign: a busy number with the template's own redial rules (next call in 15 min).
    const deal = portal.addDeal({ title: 'Busy one', contactIds: [portal.addContact({ name: 'B', phones: ['+79000000001'] })] });
    await portal.runRobot({ code, document: `DEAL_${deal}` });
    const campaignId = await waitFor('the robot campaign', async () => (await h.app.db.query<{ campaign_id: string }>(`SELECT campaign_id FROM b24_robot_runs WHERE tenant_id = $1 AND campaign_id IS NOT NULL`, [tenantId])).rows[0]?.campaign_id);
    await settleOutbox(h.app, tenantId);

    // Someone else spends Dozvon's refresh token (a restored backup, a second install of the app…).
    const row = (await findPortalByMember(h.app.db, portal.memberId))!;
    const refresh = decryptSecret(h.app.keys.tokenEncryption, row.refreshTokenEnc!);
    const spent = await fetch(`${h.emu.oauthUrl}/oauth/token/?grant_type=refresh_token&client_id=${h.emu.app.clientId}&client_secret=${h.emu.app.clientSecret}&refresh_token=${refresh}`);
    expect(spent.status).toBe(200);
    portal.expireAllTokens();

    const worker = otherProcesses(1)[0]!;
    // Whoever meets the refusal first (this worker, or the app's own outbox on a loaded machine) says so.
    await expect(worker.gateway.call(tenantId, 'app.info')).rejects.toMatchObject({ code: expect.stringMatching(/^(invalid_grant|NEEDS_REAUTH)$/) });
    // Refused once is enough: later calls do not go back to the OAuth server.
    const oauthBefore = h.emu.oauthRequests().length;
    await expect(worker.gateway.call(tenantId, 'app.info')).rejects.toMatchObject({ code: 'NEEDS_REAUTH' });
    expect(h.emu.oauthRequests().length).toBe(oauthBefore);
    worker.gateway.stop();
    const tenant = await findTenant(h.app.db, tenantId);
    expect(tenant).toMatchObject({ status: 'needs_reauth', statusReason: 'refresh_rejected' });
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'paused', statusReason: 'crm_needs_reauth' });

    // The app page shows why…
    const user = await portal.openApp({ userId: portal.addUser({ name: 'Plain user' }).id });
    expect(user.body).toContain('Needs re-authorisation');
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('needs_reauth');
    // …and an administrator opening it hands over a fresh pair.
    const admin = await portal.openApp({ userId: 1 });
    expect(admin.status).toBe(200);
    expect(admin.body).toContain('Access to');
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'running' });
    const info = await worker.gateway.call<{ INSTALLED: boolean }>(tenantId, 'app.info');
    expect(info.result.INSTALLED).toBe(true);
    worker.gateway.stop();
  });
});
