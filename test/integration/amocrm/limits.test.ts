import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBlocked } from '../../../src/crm/amocrm/maintenance.js';
import { amocrmOf } from '../../../src/crm/index.js';
import { findCampaign } from '../../../src/store/repositories/campaigns.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { amoJobs, firstTemplate, hurryOutbox, settleAmo, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * amoCRM's limits (brief §3, gotchas 4 and 5): 429 with Retry-After is waited out and every write
 * still lands exactly once; a 403 (a ban) stops every request to the account and pauses its
 * campaigns until one hourly probe gets through; an answer lost after a note was created never
 * produces a second note (reconciled by `uniq`).
 */
let h: AmoHarness;
let account: Account;
let tenantId: string;
let templateId: string;

beforeAll(async () => {
  h = await startAmoHarness();
  account = await h.newAccount();
  tenantId = await h.install(account);
  templateId = (await firstTemplate(h.app, tenantId)).id;
});
afterAll(async () => h?.stop());

async function callAll(leads: number[]): Promise<string> {
  const res = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: templateId, lead_ids: leads, max_attempts: 1 });
  expect(res.status).toBe(202);
  return res.body.campaign_id;
}

describe('rate limits and faults', () => {
  it('429 bursts: the writes wait (Retry-After) and every one lands once, the lead tags kept', async () => {
    const leads = Array.from({ length: 8 }, (_, i) => account.addLeadWithPhones(`Burst ${i}`, [`+7902${String(i).padStart(3, '0')}0001`], { tags: ['own'] }));
    const since = account.lastRequestSeq;
    await callAll(leads);
    await waitFor('the first note', () => leads.some((l) => account.notes(l, 'call_out').length > 0), 30_000);
    account.burst429(3);
    await waitFor('every lead written back', () => leads.every((l) => account.notes(l, 'call_out').length > 0 && account.tags(l).length > 1), 60_000);
    await settleAmo(h.app, tenantId);
    for (const l of leads) {
      expect(account.notes(l, 'call_out')).toHaveLength(1);
      expect(account.tags(l).sort()).toEqual(['own', 'Бот: Занято']);
    }
    const refused = account.requests(since).filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    // Honoured: after a 429 the next request waits the second amoCRM asked for.
    const first429 = refused[0]!;
    const next = account.requests(first429.seq).find((r) => r.status !== 429);
    if (next) expect(next.at - first429.at).toBeGreaterThanOrEqual(900);
    expect(account.limiter.isBanned).toBe(false);
  });

  it('a lost answer after the note was created: the retry finds it by uniq, still one note', async () => {
    const lead = account.addLeadWithPhones('Lost answer', ['+79000000004']);
    account.failNext({ method: 'POST', path: '/api/v4/leads/notes' }, { drop: true });
    await callAll([lead]);
    await waitFor('the note', () => account.notes(lead, 'call_out')[0], 30_000);
    await waitFor('the write-back to finish', async () => {
      await hurryOutbox(h.app, tenantId);
      return (await amoJobs(h.app, tenantId)).every((j) => j.status !== 'pending');
    });
    expect(account.notes(lead, 'call_out')).toHaveLength(1);
    const dropped = account.requests().filter((r) => r.dropped);
    expect(dropped).toHaveLength(1);
    // The retry looked before it wrote again.
    expect(account.requests(dropped[0]!.seq).some((r) => r.method === 'GET' && r.path === `/api/v4/leads/${lead}/notes`)).toBe(true);
    const job = (await amoJobs(h.app, tenantId)).find((j) => j.kind === 'attempt.writeback' && j.state.noteId === account.notes(lead, 'call_out')[0]!.id);
    expect(job?.status).toBe('done');
  });

  it('5xx and HTML pages are retried; the note is written once', async () => {
    const lead = account.addLeadWithPhones('Flaky', ['+79000000001']);
    account.failNext({ method: 'POST', path: '/api/v4/leads/notes' }, { status: 502, body: '<html>Bad Gateway</html>' });
    await callAll([lead]);
    await waitFor('the note', async () => {
      await hurryOutbox(h.app, tenantId);
      return account.notes(lead, 'call_out')[0];
    });
    await settleAmo(h.app, tenantId);
    expect(account.notes(lead, 'call_out')).toHaveLength(1);
  });

  it('403 (a ban): nothing more is sent, campaigns pause; one probe after the block ends brings them back', async () => {
    const ctx = amocrmOf(h.app)!.ctx;
    const lead = account.addLeadWithPhones('Banned', ['+79000000002']);
    const campaignId = await callAll([lead]);
    await settleAmo(h.app, tenantId);
    account.limiter.ban();
    await expect(ctx.api.account(tenantId)).rejects.toMatchObject({ kind: 'blocked' });
    expect(await findTenant(h.app.db, tenantId)).toMatchObject({ status: 'api_blocked', statusReason: 'forbidden' });
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'paused', statusReason: 'crm_api_blocked' });
    // Never hammered: further requests are refused here, without reaching the account.
    const since = account.lastRequestSeq;
    for (let i = 0; i < 5; i++) await expect(ctx.api.account(tenantId)).rejects.toMatchObject({ kind: 'blocked' });
    expect(account.requests(since)).toHaveLength(0);
    // Support lifts the ban; the block's hour passes; one probe.
    account.limiter.unban();
    await h.app.db.query(`UPDATE amo_pacing SET blocked_until = now() - interval '1 second' WHERE tenant_id = $1`, [tenantId]);
    expect(await probeBlocked(ctx)).toBe(1);
    expect(account.requests(since)).toHaveLength(1);
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    expect(await findCampaign(h.app.db, tenantId, campaignId)).toMatchObject({ status: 'running' });
  });
});
