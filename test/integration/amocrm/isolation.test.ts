import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from '../../fakes/bitrix24/index.js';
import type { Account, IntegrationDefinition } from '../../fakes/amocrm/index.js';
import { firstTemplate, settleAmo, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * Tenants are isolated: two amoCRM accounts (with the same lead ids), a Kommo account with its own
 * integration keys, and a Bitrix24 portal on one Dozvon never see each other's templates,
 * campaigns, calls or writes.
 */
let h: AmoHarness;
let b24: Bitrix24Emulator;
let kommoInteg: IntegrationDefinition;
let a: Account;
let b: Account;
let k: Account;
let portal: Portal;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const b24Id = `local.${crypto.randomBytes(7).toString('hex')}.12345678`;
  const b24Secret = crypto.randomBytes(24).toString('hex');
  const kommoId = crypto.randomUUID();
  const kommoSecret = crypto.randomBytes(32).toString('base64url');
  h = await startAmoHarness({ B24_CLIENT_ID: b24Id, B24_CLIENT_SECRET: b24Secret, KOMMO_CLIENT_ID: kommoId, KOMMO_CLIENT_SECRET: kommoSecret });
  kommoInteg = h.emu.addIntegration({ clientId: kommoId, clientSecret: kommoSecret, platform: 'kommo', redirectUri: `${h.t.url}/amocrm/oauth`, uninstallUrl: `${h.t.url}/amocrm/uninstall`, dpWebhookUrl: `${h.t.url}/amocrm/dp` });
  b24 = await startBitrix24Emulator({ app: { clientId: b24Id, clientSecret: b24Secret, handlerUrl: `${h.t.url}/bitrix24/app`, installUrl: `${h.t.url}/bitrix24/install` } });
  [a, b] = await Promise.all([h.newAccount(), h.newAccount()]);
  k = await h.newAccount({ platform: 'kommo', accountId: a.id });
  portal = await b24.createPortal({ lang: 'en' });
  ids.a = await h.install(a);
  ids.b = await h.install(b);
  expect((await k.install(kommoInteg.clientId)).status).toBe(200);
  ids.k = await waitFor('the Kommo account', async () => (await h.app.db.query<{ tenant_id: string }>(`SELECT tenant_id FROM amo_accounts WHERE platform = 'kommo' AND account_id = $1 AND refresh_token_enc IS NOT NULL`, [k.id])).rows[0]?.tenant_id);
  await h.alwaysOpen(ids.k);
  expect((await portal.installApp()).page?.status).toBe(200);
  await portal.installFinish();
  await portal.flush();
  ids.portal = (await findPortalByMember(h.app.db, portal.memberId))!.tenantId;
});
afterAll(async () => {
  await h?.stop();
  await b24?.stop();
});

const kommoWidget = <T>(method: string, path: string, body?: unknown) =>
  h.widget<T>(k, method, path, body, { token: k.widgetToken(kommoInteg.clientId) });

describe('isolation', () => {
  it('every account is its own tenant; the Kommo account (same numeric id as A) is told apart by its platform and keys', async () => {
    expect(new Set(Object.values(ids)).size).toBe(4);
    expect(await findTenant(h.app.db, ids.k!)).toMatchObject({ externalId: `kommo:${k.id}`, locale: 'en' });
    expect(await findTenant(h.app.db, ids.a!)).toMatchObject({ externalId: `amocrm:${a.id}`, locale: 'ru' });
    // A token of the amoCRM integration does not open the Kommo account, and the other way round.
    const st = await h.widget<{ account: { platform: string } | null; connected: boolean }>(k, 'GET', '/amocrm/widget/status', undefined, { token: k.widgetToken(kommoInteg.clientId) });
    expect(st.body).toMatchObject({ connected: true, account: { platform: 'kommo' } });
  });

  it('calls of one account are written to that account only, in its language; history and campaigns stay its own', async () => {
    const [ta, tb, tk] = await Promise.all([firstTemplate(h.app, ids.a!), firstTemplate(h.app, ids.b!), firstTemplate(h.app, ids.k!)]);
    const la = a.addLeadWithPhones('A', ['+79000000004']);
    const lb = b.addLeadWithPhones('B', ['+79000000007']);
    const lk = k.addLeadWithPhones('K', ['+1 212 555 0004']);
    expect(la).toBe(lb);
    const ca = await h.widget<{ campaign_id: string }>(a, 'POST', '/amocrm/widget/calls', { template_id: ta.id, lead_ids: [la], max_attempts: 1 });
    await h.widget(b, 'POST', '/amocrm/widget/calls', { template_id: tb.id, lead_ids: [lb], max_attempts: 1 });
    await kommoWidget('POST', '/amocrm/widget/calls', { template_id: tk.id, lead_ids: [lk], max_attempts: 1 });
    await waitFor('three notes', () => a.notes(la, 'call_out').length > 0 && b.notes(lb, 'call_out').length > 0 && k.notes(lk, 'call_out').length > 0, 30_000);
    await Promise.all([settleAmo(h.app, ids.a!), settleAmo(h.app, ids.b!), settleAmo(h.app, ids.k!)]);
    expect(a.notes().map((n) => n.params.phone)).toEqual(['+79000000004']);
    expect(b.notes().map((n) => n.params.phone)).toEqual(['+79000000007']);
    expect(String(k.notes(lk, 'call_out')[0]!.params.call_result)).toContain('Human answered');
    expect(k.tags(lk)).toContain('Bot: Human answered');

    const history = async (acc: Account, lead: number) => (await h.widget<{ calls: { phone: string }[] }>(acc, 'GET', `/amocrm/widget/history?lead_id=${lead}`)).body.calls.map((c) => c.phone);
    expect(await history(a, la)).toEqual(['+79000000004']);
    expect(await history(b, lb)).toEqual(['+79000000007']);
    // Another account's campaign and template are not there.
    expect((await h.widget(b, 'GET', `/amocrm/widget/campaigns/${ca.body.campaign_id}`)).status).toBe(404);
    expect((await h.widget(b, 'POST', '/amocrm/widget/calls', { template_id: ta.id, lead_ids: [lb] })).status).toBe(422);
    const templates = (await h.widget<{ templates: { id: string }[] }>(b, 'GET', '/amocrm/widget/templates')).body.templates.map((t) => t.id);
    expect(templates).toEqual([tb.id]);
  });

  it("one account's DP key does not work for another account", async () => {
    const keyA = (await h.widget<{ dp_key: string }>(a, 'GET', '/amocrm/widget/templates')).body.dp_key;
    const tb = await firstTemplate(h.app, ids.b!);
    const lead = b.addLeadWithPhones('B2', ['+79000000004']);
    const hook = await b.fireDp(h.integration.clientId, { leadId: lead, settings: { template_id: tb.id, dp_key: keyA } });
    expect(hook.status).toBe(403);
  });

  it('the Bitrix24 portal sees none of it, and the accounts none of the portal', async () => {
    const headers = { 'x-b24-auth': portal.issueTokens(1).accessToken, 'x-b24-member-id': portal.memberId };
    const portalTemplates = ((await (await fetch(`${h.t.url}/bitrix24/api/templates`, { headers })).json()) as { templates: { id: string }[] }).templates.map((x) => x.id);
    const amoTemplates = await Promise.all([ids.a!, ids.b!, ids.k!].map(async (t) => (await firstTemplate(h.app, t)).id));
    expect(portalTemplates).toHaveLength(1);
    expect(amoTemplates).not.toContain(portalTemplates[0]);
    const c = await h.widget(a, 'GET', `/amocrm/widget/history?lead_id=1`);
    expect(c.status).toBe(200);
    const amoCampaign = (await h.app.db.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 LIMIT 1`, [ids.a])).rows[0]!.id;
    const res = await fetch(`${h.t.url}/bitrix24/api/campaigns/${amoCampaign}`, { headers });
    expect(res.status).toBe(404);
    expect(portal.calls().some((x) => JSON.stringify(x.params).includes('+7900000000'))).toBe(false);
  });
});
