import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, type B24Harness } from './support.js';

/**
 * A portal user only reaches, through Dozvon's placements, the deals and leads their own Bitrix24
 * role shows them: a record is read with the user's frame token first, so the portal applies its
 * access rights. Recording links a placement shows expire within the hour.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let seller: number;
let own: number;
let foreign: number;
let ownLead: number;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal({ rateLimit: null });
  tenantId = await h.install(portal);
  seller = portal.addUser({ name: 'Sam', crmAccess: { deal: 'own', lead: 'none' } }).id;
  own = portal.addDeal({ title: 'Sam\'s', assignedById: seller, contactIds: [portal.addContact({ name: 'Sveta', phones: ['+79002000004'] })] });
  foreign = portal.addDeal({ title: 'The boss\'s', assignedById: 1, contactIds: [portal.addContact({ name: 'Olga', phones: ['+79003000004'] })] });
  ownLead = portal.addLead({ title: 'A lead', name: 'Lev', phones: ['+79004000004'], assignedById: seller });
  // The boss's deal has a call with a recording in its history.
  const wf = await portal.runRobot({ code: portal.robots()[0]!.code, document: `DEAL_${foreign}`, properties: { max_attempts: '1' } });
  expect(await wf.settled(60_000)).toBe('completed');
  await settleOutbox(h.app, tenantId);
}, 120_000);
afterAll(async () => h?.stop());

async function api<T = Record<string, unknown>>(userId: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.t.url}/bitrix24/api/${path}`, {
    method,
    headers: { 'x-b24-auth': portal.issueTokens(userId).accessToken, 'x-b24-member-id': portal.memberId, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const campaignCount = async () => Number((await h.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns WHERE tenant_id = $1', [tenantId])).rows[0]!.n);

describe('the deal tab\'s history', () => {
  it('is refused, in the user\'s language, for a deal their role does not show — no calls, no recording links', async () => {
    const res = await api<{ error: { code: string; message: string }; calls?: unknown }>(seller, 'GET', `history?entity=deal&id=${foreign}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', message: 'Your Bitrix24 access rights do not let you see this record, so its calls are not shown.' });
    expect(JSON.stringify(res.body)).not.toContain('/recordings/');
    // The portal was asked with the seller's own token.
    expect(portal.calls('crm.deal.get').filter((c) => c.userId === seller).at(-1)).toMatchObject({ status: 400, errorDescription: 'Access denied' });
  });

  it('is shown for a deal they may see; a lead of a role without lead access is refused too', async () => {
    expect((await api(seller, 'GET', `history?entity=deal&id=${own}`)).status).toBe(200);
    expect((await api(seller, 'GET', `history?entity=lead&id=${ownLead}`)).status).toBe(403);
    expect((await api(seller, 'GET', 'history?entity=deal&id=987654')).status).toBe(404);
  });

  it('gives the administrator a recording link that expires within the hour, not a permanent one', async () => {
    const res = await api<{ calls: { recordingUrl: string | null }[] }>(1, 'GET', `history?entity=deal&id=${foreign}`);
    expect(res.status).toBe(200);
    const url = new URL(res.body.calls[0]!.recordingUrl!);
    const exp = Number(url.searchParams.get('exp'));
    expect(exp).toBeGreaterThan(Date.now() / 1000);
    expect(exp).toBeLessThanOrEqual(Date.now() / 1000 + 3600 + 5);
    expect((await fetch(url)).status).toBe(200);
    // The CRM timeline keeps the lasting link (what the write-back attached).
    expect(portal.externalCalls().find((c) => c.phoneNumber === '+79003000004')?.record?.sourceUrl).toMatch(/exp=0&/);
  });
});

describe('"call now" and the list menu', () => {
  it('a deal the user may not see is not called: 403, no campaign', async () => {
    const before = await campaignCount();
    const res = await api<{ error: { code: string; message: string; refused: number[] } }>(seller, 'POST', 'calls', { templateId: await templateId(), entity: 'deal', ids: [foreign] });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', refused: [foreign] });
    expect(res.body.error.message).toContain('(1)');
    expect(await campaignCount()).toBe(before);
  });

  it('of several chosen rows, only the readable ones are called; the others are reported', async () => {
    const res = await api<{ campaignId: string; refused: number[] }>(seller, 'POST', 'calls', { templateId: await templateId(), entity: 'deal', ids: [own, foreign, 555_555] });
    expect(res.status).toBe(202);
    expect(res.body.refused.sort((a, b) => a - b)).toEqual([foreign, 555_555].sort((a, b) => a - b));
    await settleOutbox(h.app, tenantId);
    const contacts = await h.app.db.query<{ external_id: string }>('SELECT external_id FROM campaign_contacts WHERE campaign_id = $1', [res.body.campaignId]);
    expect(contacts.rows.map((r) => r.external_id)).toEqual([`DEAL_${own}`]);
    // One batch of list reads with the seller's token checked every row.
    const check = portal.calls('crm.deal.list').filter((c) => c.userId === seller && c.batch !== null);
    expect(check.length).toBeGreaterThan(0);
  });

  it('the administrator may call any row', async () => {
    const res = await api<{ refused: number[] }>(1, 'POST', 'calls', { templateId: await templateId(), entity: 'deal', ids: [own, foreign] });
    expect(res.status).toBe(202);
    expect(res.body.refused).toEqual([]);
  });
});

async function templateId(): Promise<string> {
  const res = await api<{ templates: { id: string }[] }>(1, 'GET', 'templates');
  return res.body.templates[0]!.id;
}
