import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmoEmulator, type Account, type AmoEmulator, type IntegrationDefinition } from './index.js';

/** The emulator behaves like amoCRM where Dozvon depends on it (brief §1–§4, §9). */
let emu: AmoEmulator;
let integ: IntegrationDefinition;
let account: Account;

async function tokens(a: Account, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${a.url}/oauth2/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: integ.clientId, client_secret: integ.clientSecret, redirect_uri: integ.redirectUri, ...body }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function api(a: Account, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${a.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // HTML (a ban page)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

beforeAll(async () => {
  emu = await startAmoEmulator();
  integ = emu.addIntegration({ redirectUri: 'https://dozvon.example/amocrm/oauth' });
  account = await emu.createAccount({ rateLimit: null });
});
afterAll(async () => emu?.stop());

describe('amoCRM emulator', () => {
  it('OAuth: a code once, rotating refresh tokens, and reusing a used one revokes the install', async () => {
    const code = account.authorizationCode(integ.clientId);
    const first = await tokens(account, { grant_type: 'authorization_code', code });
    expect(first.status).toBe(200);
    expect((await tokens(account, { grant_type: 'authorization_code', code })).status).toBe(400);
    const second = await tokens(account, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    expect((await api(account, String(second.body.access_token), 'GET', '/api/v4/account')).status).toBe(200);
    const reuse = await tokens(account, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(reuse).toMatchObject({ status: 401, body: { hint: 'Token has been revoked' } });
    expect((await api(account, String(second.body.access_token), 'GET', '/api/v4/account')).status).toBe(401);
    expect(account.liveGrants()).toBe(0);
  });

  it('lists: 204 for nothing, limit over 250 falls back to 50, with=contacts gives ids only', async () => {
    const { body } = await tokens(account, { grant_type: 'authorization_code', code: account.authorizationCode(integ.clientId) });
    const token = String(body.access_token);
    expect((await api(account, token, 'GET', '/api/v4/leads?filter[id][]=1')).status).toBe(204);
    for (let i = 0; i < 60; i++) account.addLeadWithPhones(`L${i}`, [`+7900${String(i).padStart(7, '0')}`]);
    const big = await api(account, token, 'GET', '/api/v4/leads?limit=500&with=contacts');
    const leads = (big.body as { _embedded: { leads: { _embedded: { contacts: unknown[] } }[] }; _links: { next?: unknown } });
    expect(leads._embedded.leads).toHaveLength(50);
    expect(leads._links.next).toBeTruthy();
    expect(leads._embedded.leads[0]!._embedded.contacts[0]).toEqual(expect.objectContaining({ is_main: true }));
    expect(Object.keys(leads._embedded.leads[0]!._embedded.contacts[0] as object).sort()).toEqual(['_links', 'id', 'is_main']);
  });

  it('tags: tags_to_add keeps the others, _embedded.tags replaces them all', async () => {
    const { body } = await tokens(account, { grant_type: 'authorization_code', code: account.authorizationCode(integ.clientId) });
    const token = String(body.access_token);
    const lead = account.addLead({ name: 'Tagged', tags: ['vip', 'march'] });
    expect((await api(account, token, 'PATCH', '/api/v4/leads', [{ id: lead, tags_to_add: [{ name: 'Bot: busy' }] }])).status).toBe(200);
    expect(account.tags(lead).sort()).toEqual(['Bot: busy', 'march', 'vip']);
    await api(account, token, 'PATCH', '/api/v4/leads', [{ id: lead, tags_to_add: [{ name: 'x' }], _embedded: { tags: [{ name: 'only' }] } }]);
    expect(account.tags(lead)).toEqual(['only']);
  });

  it('a value of the wrong shape for a select field: 200 and nothing changes; an unknown field: 400', async () => {
    const { body } = await tokens(account, { grant_type: 'authorization_code', code: account.authorizationCode(integ.clientId) });
    const token = String(body.access_token);
    const field = account.addField({ name: 'Gender', type: 'select', enums: ['Female', 'Male'] });
    const lead = account.addLead({ name: 'F' });
    expect((await api(account, token, 'PATCH', '/api/v4/leads', [{ id: lead, custom_fields_values: [{ field_id: field, values: [{ value: 'woman' }] }] }])).status).toBe(200);
    expect(account.fieldValue(lead, field)).toBeUndefined();
    expect((await api(account, token, 'PATCH', '/api/v4/leads', [{ id: lead, custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] }])).status).toBe(400);
  });

  it('7 requests a second: then 429 with retry_after, and an integration that keeps going is banned with 403 HTML', async () => {
    const limited = await emu.createAccount({ rateLimit: { banAfter: 5 } });
    const { body } = await tokens(limited, { grant_type: 'authorization_code', code: limited.authorizationCode(integ.clientId) });
    const token = String(body.access_token);
    const answers = await Promise.all(Array.from({ length: 12 }, () => api(limited, token, 'GET', '/api/v4/account')));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(7);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body).toMatchObject({ status: 429, retry_after: 1 });
    expect(refused.headers.get('retry-after')).toBe('1');
    const more = await Promise.all(Array.from({ length: 5 }, () => api(limited, token, 'GET', '/api/v4/account')));
    expect(more.some((a) => a.status === 403 && String(a.body).includes('nginx'))).toBe(true);
    limited.limiter.unban();
  });
});
