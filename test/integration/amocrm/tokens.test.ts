import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateAccountSettings } from '../../../src/crm/amocrm/accountSettings.js';
import { createAmoContext, type AmoContext } from '../../../src/crm/amocrm/amoContext.js';
import { keepAlive } from '../../../src/crm/amocrm/maintenance.js';
import { amocrmOf } from '../../../src/crm/index.js';
import { findCampaign } from '../../../src/store/repositories/campaigns.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { findAccount } from '../../../src/crm/amocrm/store/accounts.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp.js';
import { firstTemplate, settleAmo, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * Refresh tokens are single-use and a reused one revokes the install (gotcha 1): with three workers
 * (processes) sharing the database, every expiry costs exactly one refresh and no refresh token is
 * ever presented twice. A refused refresh pauses the account's campaigns with a reason and an
 * e-mail; reconnecting resumes them. Idle accounts are kept alive before their 3 months run out.
 */
let h: AmoHarness;
let smtp: TestSmtpServer;
let account: Account;
let tenantId: string;
let workers: AmoContext[];

const refreshes = () => h.emu.oauth.log.filter((r) => r.grantType === 'refresh_token');

beforeAll(async () => {
  smtp = await startSmtpServer();
  h = await startAmoHarness({ SMTP_URL: smtp.url, MAIL_FROM: 'Dozvon <robot@dozvon.test>' });
  account = await h.newAccount();
  tenantId = await h.install(account);
  const main = amocrmOf(h.app)!.ctx;
  // Two more "processes": their own scheduler, refresher and worker id, the same database.
  workers = [main, createAmoContext({ ...main }, main.cfg, { workerId: 'worker-2' }), createAmoContext({ ...main }, main.cfg, { workerId: 'worker-3' })];
});
afterAll(async () => {
  for (const w of workers.slice(1)) w.gateway.stop();
  await h?.stop();
  await smtp?.close();
});

describe('token refresh with three workers', () => {
  it('each expiry costs exactly one refresh; no refresh token is used twice', async () => {
    const before = refreshes().length;
    for (let expiry = 1; expiry <= 3; expiry++) {
      account.expireAccessTokens();
      const answers = await Promise.all(workers.flatMap((w) => Array.from({ length: 4 }, () => w.api.account(tenantId))));
      expect(answers.every((a) => a.id === account.id)).toBe(true);
      expect(refreshes().length - before).toBe(expiry);
    }
    const mine = refreshes().slice(before);
    expect(mine.every((r) => r.status === 200 && r.error === null)).toBe(true);
    expect(new Set(mine.map((r) => r.refreshSerial)).size).toBe(mine.length);
    expect(account.liveGrants()).toBe(1);
  });

  it('tokens expiring in the middle of a campaign: every write lands once, one refresh', async () => {
    const tpl = await firstTemplate(h.app, tenantId);
    const leads = Array.from({ length: 6 }, (_, i) => account.addLeadWithPhones(`Mid ${i}`, [`+7901${String(i).padStart(3, '0')}0004`]));
    const before = refreshes().length;
    // One call a second: the first lead's note comes while later calls are still to be made, so
    // their writes meet the expired token (at the harness's 20/s, all six could land before it).
    await updateAccountSettings(amocrmOf(h.app)!.ctx, tenantId, { intensity: 1 });
    const started = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: leads, max_attempts: 1 });
    expect(started.status).toBe(202);
    await waitFor('the first note', () => leads.some((l) => account.notes(l, 'call_out').length > 0), 30_000);
    account.expireAccessTokens();
    await waitFor('every lead written back', () => leads.every((l) => account.notes(l, 'call_out').length > 0), 60_000);
    await settleAmo(h.app, tenantId);
    for (const l of leads) expect(account.notes(l, 'call_out')).toHaveLength(1);
    expect(refreshes().length - before).toBe(1);
    expect(refreshes().some((r) => r.error === 'revoked_reuse')).toBe(false);
    await updateAccountSettings(amocrmOf(h.app)!.ctx, tenantId, { intensity: 20 });
  }, 120_000);
});

describe('a refused refresh', () => {
  it('marks the account for reconnection, pauses its campaigns with a reason and an e-mail; reconnecting resumes them', async () => {
    const ctx = workers[0]!;
    await updateAccountSettings(ctx, tenantId, { notifyEmails: ['sales@example.com'] });
    const tpl = await firstTemplate(h.app, tenantId);
    const lead = account.addLeadWithPhones('Waits', ['+79000000002']);
    // A number that never answers is redialled an hour later: the campaign stays running meanwhile.
    const started = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: [lead] });
    await settleAmo(h.app, tenantId);
    h.emu.oauth.revokeIntegration(account.id, h.integration.clientId);
    account.expireAccessTokens();
    await expect(ctx.api.account(tenantId)).rejects.toMatchObject({ kind: 'revoked' });
    expect(await findTenant(h.app.db, tenantId)).toMatchObject({ status: 'needs_reauth', statusReason: 'refresh_rejected' });
    const campaign = await findCampaign(h.app.db, tenantId, started.body.campaign_id);
    expect(campaign).toMatchObject({ status: 'paused', statusReason: 'crm_needs_reauth' });
    const mail = await waitFor('the e-mail', () => smtp.mails.find((m) => m.to.includes('sales@example.com')));
    expect(mail.subject).toContain(campaign!.name);
    // Calls cannot start meanwhile, and the widget says why.
    const refused = await h.widget(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: [lead] });
    expect(refused.status).toBe(409);
    const st = await h.widget<{ status: string }>(account, 'GET', '/amocrm/widget/status');
    expect(st.body.status).toBe('needs_reauth');

    await h.install(account, { alwaysOpen: false });
    await waitFor('active again', async () => (await findTenant(h.app.db, tenantId))?.status === 'active');
    expect(await findCampaign(h.app.db, tenantId, started.body.campaign_id)).toMatchObject({ status: 'running' });
  });
});

describe('keep-alive', () => {
  it('refreshes an account whose pair is older than a month, before amoCRM lets it die after three', async () => {
    const ctx = workers[0]!;
    await h.app.db.query(`UPDATE amo_accounts SET refreshed_at = now() - interval '40 days' WHERE tenant_id = $1`, [tenantId]);
    const before = refreshes().length;
    expect(await keepAlive(ctx)).toBe(1);
    expect(refreshes().length - before).toBe(1);
    expect(await keepAlive(ctx)).toBe(0);
  });
});

describe('a renamed account (gotcha 16)', () => {
  it('is followed to its new address: refused at the old one, amoCRM names the new one, pair and address stored, nothing to reconnect', async () => {
    const renamed = await h.newAccount();
    const tid = await h.install(renamed);
    const ctx = workers[0]!;
    const oldUrl = renamed.url;
    await renamed.rename('acme-renamed');
    expect(renamed.url).not.toBe(oldUrl);
    const before = refreshes().length;
    // The old address answers 401, the refresh there 404; amoCRM's API domain names the new one.
    const answer = await ctx.api.account(tid);
    expect(answer.id).toBe(renamed.id);
    const row = await findAccount(h.app.db, tid);
    expect(row).toMatchObject({ baseUrl: renamed.url, subdomain: 'acme-renamed' });
    expect((await findTenant(h.app.db, tid))?.status).not.toBe('needs_reauth');
    const mine = refreshes().slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 200, error: null });
    expect(renamed.liveGrants()).toBe(1);
    // Later requests go straight to the new address.
    expect((await ctx.api.account(tid)).id).toBe(renamed.id);
    expect(refreshes().length - before).toBe(1);
  });
});
