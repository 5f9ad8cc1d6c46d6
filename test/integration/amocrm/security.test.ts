import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByAmoId } from '../../../src/crm/amocrm/store/accounts.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { amoJobs, firstTemplate, startAmoHarness, type AmoHarness } from './support.js';

/**
 * The widget API answers only amoCRM's own one-time tokens (HS256, our secret, our `aud`, in time,
 * once); CORS admits only account pages asking for `X-Auth-Token`; the disable hook is checked in
 * constant time and a forged one changes nothing; a genuine one disables the account at once.
 */
let h: AmoHarness;
let account: Account;
let tenantId: string;

beforeAll(async () => {
  h = await startAmoHarness();
  account = await h.newAccount();
  tenantId = await h.install(account);
});
afterAll(async () => h?.stop());

const status = (token: string | null) => h.widget(account, 'GET', '/amocrm/widget/status', undefined, { token });

describe('widget tokens', () => {
  it('a genuine token is accepted once; replaying it is refused', async () => {
    const token = account.widgetToken(h.integration.clientId);
    expect((await status(token)).status).toBe(200);
    const replay = await status(token);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('widget token') } });
  });

  it.each([
    ['missing', () => null],
    ['signed with another secret', () => account.widgetToken(h.integration.clientId, { secret: crypto.randomBytes(32).toString('hex') })],
    ['for another integration (foreign aud)', () => account.widgetToken(h.integration.clientId, { claims: { aud: 'https://other.example.com' } })],
    ['expired', () => account.widgetToken(h.integration.clientId, { claims: { iat: Math.floor(Date.now() / 1000) - 7200, nbf: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 } })],
    ['not yet valid', () => account.widgetToken(h.integration.clientId, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } })],
    ['from a host that is not an account', () => account.widgetToken(h.integration.clientId, { claims: { iss: 'https://evil.example.com' } })],
    ['without a jti', () => account.widgetToken(h.integration.clientId, { omit: ['jti'] })],
    ['signed with HS512', () => account.widgetToken(h.integration.clientId, { algorithm: 'HS512' })],
    ['of an unknown client', () => account.widgetToken(h.integration.clientId, { claims: { client_uuid: crypto.randomUUID() } })],
    ['garbage', () => 'not.a.jwt'],
  ])('a token %s is refused with 401', async (_name, make) => {
    const res = await status(make());
    expect(res.status).toBe(401);
  });

  it('"alg: none" is refused', async () => {
    const [, payload] = account.widgetToken(h.integration.clientId).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect((await status(none)).status).toBe(401);
  });
});

describe('CORS', () => {
  const preflight = (origin: string, headers = 'x-auth-token') =>
    fetch(`${h.t.url}/amocrm/widget/templates`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': headers } });

  it('a preflight from the account asking for x-auth-token is allowed', async () => {
    const res = await preflight(account.url);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(account.url);
    expect(res.headers.get('access-control-allow-headers')).toContain('x-auth-token');
  });

  it('a preflight from any other origin, or asking for other headers, is 401', async () => {
    expect((await preflight('https://evil.example.com')).status).toBe(401);
    expect((await preflight('https://acme.amocrm.ru.evil.com')).status).toBe(401);
    expect((await preflight(account.url, 'x-auth-token, authorization')).status).toBe(401);
  });

  it('answers carry the account origin', async () => {
    const res = await status(account.widgetToken(h.integration.clientId));
    expect(res.headers.get('access-control-allow-origin')).toBe(account.url);
  });
});

describe("a user's lead rights", () => {
  const history = (lead: number, userId: number) => h.widget<{ error?: { code: string; message: string } }>(account, 'GET', `/amocrm/widget/history?lead_id=${lead}`, undefined, { userId });
  const campaigns = async () => Number((await h.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns WHERE tenant_id = $1', [tenantId])).rows[0]!.n);

  it('a user sees and calls only the leads amoCRM shows them: their own (M), their group\'s (G), none (D); administrators all', async () => {
    const own = account.addUser({ name: 'Own only', leadsView: 'M' });
    const colleague = account.addUser({ name: 'Colleague', leadsView: 'M', groupId: 7 });
    const grouped = account.addUser({ name: 'Group', leadsView: 'G', groupId: 7 });
    const none = account.addUser({ name: 'None', leadsView: 'D' });
    const mine = account.addLeadWithPhones('Mine', ['+79000000001'], { responsibleUserId: own });
    const theirs = account.addLeadWithPhones('Theirs', ['+79000000001'], { responsibleUserId: colleague });
    expect((await history(mine, own)).status).toBe(200);
    const refused = await history(theirs, own);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('1') });
    expect((await history(theirs, grouped)).status).toBe(200);
    expect((await history(mine, grouped)).status).toBe(403);
    expect((await history(mine, none)).status).toBe(403);
    expect((await history(theirs, 1)).status).toBe(200);

    // Starting calls for a hidden lead starts nothing at all; the preview shows none of its phones.
    const tpl = await firstTemplate(h.app, tenantId);
    const before = await campaigns();
    const start = await h.widget(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: [mine, theirs] }, { userId: own });
    expect(start.status).toBe(403);
    expect(await campaigns()).toBe(before);
    expect((await h.widget(account, 'POST', '/amocrm/widget/calls/preview', { template_id: tpl.id, lead_ids: [theirs] }, { userId: own })).status).toBe(403);
    expect((await h.widget(account, 'POST', '/amocrm/widget/calls/preview', { template_id: tpl.id, lead_ids: [mine] }, { userId: own })).status).toBe(200);
  });

  it('a stage hidden from the user hides its leads, whatever else they may see', async () => {
    const lead = account.addLeadWithPhones('In a closed stage', ['+79000000001']);
    const where = account.lead(lead)!;
    const user = account.addUser({ name: 'Not that stage', leadsView: 'A', hiddenStages: [{ pipelineId: where.pipeline_id, statusId: where.status_id }] });
    expect((await history(lead, user)).status).toBe(403);
    expect((await history(lead, account.addUser({ name: 'Sees all', leadsView: 'A' }))).status).toBe(200);
  });
});

describe('the disable hook', () => {
  it('a forged signature is 401 and the account stays connected', async () => {
    for (const signature of ['00'.repeat(32), crypto.createHmac('sha256', 'wrong').update(`${h.integration.clientId}|${account.id}`).digest('hex')]) {
      const res = await account.uninstall(h.integration.clientId, { signature, revoke: false });
      expect(res.status).toBe(401);
    }
    // Signed for another account: not this one's.
    expect((await account.uninstall(h.integration.clientId, { accountId: account.id + 1, revoke: false })).status).toBe(200);
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    expect((await h.widget(account, 'GET', '/amocrm/widget/templates')).status).toBe(200);
  });

  it('a genuine one disables the account at once: campaigns complete, tokens erased, the widget API and DP hooks refused', async () => {
    const tpl = await firstTemplate(h.app, tenantId);
    const { dp_key } = (await h.widget<{ dp_key: string }>(account, 'GET', '/amocrm/widget/templates')).body;
    const lead = account.addLeadWithPhones('Later', ['+79000000002']);
    const started = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: [lead] });
    expect(started.status).toBe(202);
    const res = await account.uninstall(h.integration.clientId);
    expect(res.status).toBe(200);
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('uninstalled');
    expect((await findAccountByAmoId(h.app.db, 'amocrm', account.id))?.accessTokenEnc).toBeNull();
    const c = await h.app.db.query<{ status: string; status_reason: string }>('SELECT status, status_reason FROM campaigns WHERE id = $1', [started.body.campaign_id]);
    expect(c.rows[0]).toEqual({ status: 'completed', status_reason: 'uninstalled' });
    expect((await amoJobs(h.app, tenantId)).filter((j) => j.status === 'pending')).toEqual([]);

    const calls = await h.widget(account, 'POST', '/amocrm/widget/calls', { template_id: tpl.id, lead_ids: [lead] });
    expect(calls.status).toBe(403);
    expect(calls.body).toMatchObject({ error: { code: 'forbidden' } });
    const before = (await amoJobs(h.app, tenantId)).length;
    const dp = await account.fireDp(h.integration.clientId, { leadId: lead, settings: { template_id: tpl.id, dp_key } });
    expect(dp.status).toBe(403);
    expect((await amoJobs(h.app, tenantId)).length).toBe(before);
    const notes = account.notes(lead);
    expect(notes).toHaveLength(0);
  });
});
