import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { encodeForm, type Portal } from '../../fakes/bitrix24/index.js';
import { b24Jobs, startHarness, type B24Harness } from './support.js';
import { freshWorkerRounds } from '../../support/workerRounds.js';

/**
 * A portal's requests are trusted only with the application token of its installation. Forged
 * robot calls, calls naming portals Dozvon does not know, malformed bodies: a 4xx, no call placed,
 * nothing written — neither in Dozvon nor in the portal.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let code: string;
let deal: number;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal();
  tenantId = await h.install(portal);
  code = portal.robots()[0]!.code;
  const contact = portal.addContact({ name: 'Anna', phones: ['+79000000004'] });
  deal = portal.addDeal({ title: 'Target', contactIds: [contact] });
});
afterAll(async () => h?.stop());

function robotForm(over: { memberId?: string; applicationToken?: string; code?: string; document?: string } = {}): Record<string, unknown> {
  const tokens = portal.issueTokens(1);
  return {
    workflow_id: '664fa13bbbb410.99176768',
    code: over.code ?? code,
    document_id: ['crm', 'CCrmDocumentDeal', over.document ?? `DEAL_${deal}`],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token: '664fa13bbbb410.99176768|A1_2_3_4|c2lnbmF0dXJl',
    properties: { max_attempts: '1' },
    use_subscription: 'Y',
    timeout_duration: '660',
    ts: String(Math.floor(Date.now() / 1000)),
    auth: {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      domain: portal.domain,
      member_id: over.memberId ?? portal.memberId,
      application_token: over.applicationToken ?? portal.applicationToken,
    },
  };
}

const post = (path: string, body: string, type = 'application/x-www-form-urlencoded') =>
  fetch(`${h.t.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

async function nothingWritten(): Promise<void> {
  expect((await h.app.db.query('SELECT 1 FROM b24_robot_runs')).rows).toHaveLength(0);
  expect((await h.app.db.query('SELECT 1 FROM campaign_contacts WHERE tenant_id = $1', [tenantId])).rows).toHaveLength(0);
  expect((await b24Jobs(h.app, tenantId)).filter((j) => j.kind !== 'robot.sync')).toHaveLength(0);
  // What the install declared (user fields, triggers) aside, nothing touched the portal.
  const declared = (m: string) => m.includes('userfield') || m === 'crm.automation.trigger.add';
  expect(portal.calls().filter((c) => /^(crm\.|telephony\.|bizproc\.event|bizproc\.activity)/.test(c.method) && !declared(c.method))).toHaveLength(0);
}

describe('robot calls that are not what they claim', () => {
  it('a wrong application token → 403', async () => {
    const res = await post('/bitrix24/robot', encodeForm(robotForm({ applicationToken: 'f'.repeat(32) })));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('a portal Dozvon does not know → the same 403', async () => {
    const res = await post('/bitrix24/robot', encodeForm(robotForm({ memberId: 'a'.repeat(32) })));
    expect(res.status).toBe(403);
  });

  it('malformed bodies → 4xx: JSON instead of a form, missing fields, an unsupported document, a robot that is not ours', async () => {
    expect((await post('/bitrix24/robot', JSON.stringify(robotForm()), 'application/json')).status).toBe(415);
    const noDoc = robotForm();
    delete noDoc.document_id;
    expect((await post('/bitrix24/robot', encodeForm(noDoc))).status).toBe(422);
    expect((await post('/bitrix24/robot', encodeForm(robotForm({ document: 'COMPANY_1' })))).status).toBe(422);
    expect((await post('/bitrix24/robot', encodeForm(robotForm({ code: 'someone_else' })))).status).toBe(404);
    // A deadline Dozvon cannot read would be missed silently: refused, with the field named.
    const badTimeout = await post('/bitrix24/robot', encodeForm({ ...robotForm(), timeout_duration: 'soon' }));
    expect(badTimeout.status).toBe(422);
    expect(((await badTimeout.json()) as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('timeout_duration');
    expect((await post('/bitrix24/robot', 'auth[member_id]=x&auth=%5B%5D&&&[[')).status).toBeGreaterThanOrEqual(400);
    expect((await post('/bitrix24/robot', '')).status).toBe(422);
  });

  it('none of them placed a call or wrote anything', async () => {
    await freshWorkerRounds(h.t.dozvon);
    await nothingWritten();
  });
});

describe('other portal posts', () => {
  it('a forged ONAPPUNINSTALL → 403, and the portal stays installed with its tokens', async () => {
    const body = encodeForm({
      event: 'ONAPPUNINSTALL',
      data: { LANGUAGE_ID: 'en', CLEAN: '1' },
      auth: { domain: portal.domain, member_id: portal.memberId, application_token: 'not-the-token' },
    });
    expect((await post('/bitrix24/events', body)).status).toBe(403);
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    const row = await h.app.db.query<{ access_token_enc: string | null }>('SELECT access_token_enc FROM b24_portals WHERE tenant_id = $1', [tenantId]);
    expect(row.rows[0]?.access_token_enc).toBeTruthy();
  });

  it('frame pages are verified by the user\'s own token, never by an application token (real frame forms carry none)', async () => {
    const t = portal.issueTokens(1);
    // Exactly the fields Bitrix24's own frame form has (bitrix core app.layout template).
    const form = {
      AUTH_ID: t.accessToken, AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId,
      status: 'L', PLACEMENT: 'CRM_DEAL_DETAIL_TAB', PLACEMENT_OPTIONS: JSON.stringify({ ID: String(deal) }),
    };
    const tab = (f: Record<string, string>) => post(`/bitrix24/placement/deal_tab?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=en`, encodeForm(f));
    expect((await tab(form)).status).toBe(200);
    expect((await post(`/bitrix24/app?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=en`, encodeForm({ ...form, PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '[]' }))).status).toBe(200);
    // A forged user token opens nothing, whatever application token comes with it.
    expect((await tab({ ...form, AUTH_ID: 'forged' })).status).toBe(401);
    expect((await tab({ ...form, AUTH_ID: 'forged', APPLICATION_TOKEN: portal.applicationToken } as Record<string, string>)).status).toBe(401);
    expect((await post(`/bitrix24/app?DOMAIN=${portal.domain}`, encodeForm({ ...form, AUTH_ID: 'forged' }))).status).toBe(401);
    // Another portal's user token names this portal's member id: unknown there.
    const other = await h.newPortal();
    await h.install(other);
    expect((await tab({ ...form, AUTH_ID: other.issueTokens(1).accessToken })).status).toBe(401);
    expect((await post(`/bitrix24/placement/nope?DOMAIN=${portal.domain}`, encodeForm(form))).status).toBe(422);
  });

  it('the frame CSP names the portal as Dozvon stored it, never the DOMAIN / PROTOCOL a request claims', async () => {
    const t = portal.issueTokens(1);
    const form = { AUTH_ID: t.accessToken, AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId, PLACEMENT: 'CRM_DEAL_DETAIL_TAB', PLACEMENT_OPTIONS: JSON.stringify({ ID: String(deal) }) };
    for (const path of ['/bitrix24/placement/deal_tab', '/bitrix24/app']) {
      const res = await post(`${path}?DOMAIN=evil.example&PROTOCOL=0&LANG=en`, encodeForm(form));
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).not.toContain('evil.example');
      expect(csp).toContain(`frame-ancestors 'self' https://${portal.domain} http://${portal.domain}`);
      // The page's config names the stored domain too (the browser code sends it back as X-B24-Domain).
      expect(await res.text()).not.toContain('evil.example');
    }
  });

  it('a robot call carrying another portal\'s robot code → 404 at once, nothing recorded or started', async () => {
    const other = await h.newPortal();
    await h.install(other);
    const foreign = other.robots()[0]!.code;
    expect(foreign).not.toBe(code);
    const res = await post('/bitrix24/robot', encodeForm(robotForm({ code: foreign })));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    await freshWorkerRounds(h.t.dozvon);
    await nothingWritten();
  });

  it('the API refuses requests without a valid frame token', async () => {
    const get = (headers: Record<string, string>) => fetch(`${h.t.url}/bitrix24/api/templates`, { headers });
    expect((await get({})).status).toBe(401);
    expect((await get({ 'x-b24-auth': 'nope', 'x-b24-member-id': portal.memberId })).status).toBe(401);
    expect((await get({ 'x-b24-auth': portal.issueTokens(1).accessToken, 'x-b24-member-id': portal.memberId, 'x-b24-domain': 'evil.example' })).status).toBe(401);
    expect((await get({ 'x-b24-auth': portal.issueTokens(1).accessToken, 'x-b24-member-id': portal.memberId })).status).toBe(200);
  });
});
