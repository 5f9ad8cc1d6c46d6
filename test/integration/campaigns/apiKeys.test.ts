import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/engine/auth/apiKeys.js';
import { seedStarter } from '../../../src/engine/seedStarter.js';
import { upsertTenant } from '../../../src/store/repositories/tenants.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createCampaign, magic, makeTemplate, waitFor, waitSettled, type AttemptBody, type CampaignBody, type ErrorBody, type NumberBody } from './helpers.js';

/**
 * The Calls API with keys (J8): an admin creates a key (shown once); the key adds and cancels
 * numbers, pauses, resumes and completes, reads the reports; a revoked or forged key is refused;
 * a key never reaches another account's campaigns.
 */
let t: TestApp;
let templateId: string;
let key: string;
let keyId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

/** A request with the key instead of a session. */
const withKey = <T = unknown>(k: string, method: string, path: string, body?: unknown) => t.api<T>(method, path, body, { token: null, headers: { 'x-api-key': k } });

describe('keys', () => {
  it('an admin creates a key; it is shown once, then listed without its secret', async () => {
    const created = await t.api<{ id: string; name: string; prefix: string; role: string; key: string; revokedAt: null }>('POST', '/api-keys', { name: 'CRM integration' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'CRM integration', role: 'manager', revokedAt: null });
    expect(created.body.key).toMatch(new RegExp(`^dzv_${created.body.prefix}_[A-Za-z0-9_-]{32}$`));
    key = created.body.key;
    keyId = created.body.id;

    const list = await t.api<{ keys: Record<string, unknown>[] }>('GET', '/api-keys');
    expect(list.body.keys).toHaveLength(1);
    expect(list.body.keys[0]).toMatchObject({ id: keyId, prefix: created.body.prefix, lastUsedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(key.slice('dzv_'.length + created.body.prefix.length + 1));

    const invalid = await t.api<ErrorBody>('POST', '/api-keys', { name: '' });
    expect(invalid.status).toBe(422);
    // Without a session: 401; a key cannot manage keys.
    expect((await t.api('POST', '/api-keys', { name: 'x' }, { token: null })).status).toBe(401);
    expect((await withKey(key, 'POST', '/api-keys', { name: 'x' })).status).toBe(403);
    expect((await withKey(key, 'GET', '/settings/webhooks')).status).toBe(403);
  });

  it('the key runs a campaign end to end: create, add, cancel, pause, resume, complete, reports', async () => {
    const created = await withKey<CampaignBody & { source: { kind: string } }>(key, 'POST', '/campaigns', {
      name: 'Via API',
      templateId,
      settings: { window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }, intensity: 50 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ status: 'running', source: { kind: 'api' } });
    const id = created.body.id;

    const one = await withKey<{ status: string; externalId: string }>(key, 'POST', `/campaigns/${id}/numbers`, { phone: magic('0004', '+7900700'), externalId: 'k-1', variables: { name: 'Anna' } });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({ status: 'added', externalId: 'k-1' });
    await waitSettled(t, id);

    const paused = await withKey<CampaignBody>(key, 'POST', `/campaigns/${id}/pause`);
    expect(paused.body).toMatchObject({ status: 'paused', statusReason: 'manual' });
    expect(paused.body.statusDetail).toBe(`api:${keyId}`);
    const batch = await withKey<{ added: number }>(key, 'POST', `/campaigns/${id}/numbers/batch`, {
      items: [
        { phone: magic('0007', '+7900700'), externalId: 'k-2' },
        { phone: magic('0004', '+7900701'), externalId: 'k-3' },
      ],
    });
    expect(batch.body.added).toBe(2);
    const cancelled = await withKey<{ cancelled: number }>(key, 'POST', `/campaigns/${id}/numbers/cancel`, { externalIds: ['k-3'] });
    expect(cancelled.body).toEqual({ cancelled: 1 });
    expect((await withKey<CampaignBody>(key, 'POST', `/campaigns/${id}/resume`)).body.status).toBe('running');
    await waitFor(() => withKey<{ numbers: NumberBody[] }>(key, 'GET', `/campaigns/${id}/numbers?externalId=k-2`), (r) => r.body.numbers[0]?.status === 'answered');

    const numbers = await withKey<{ numbers: NumberBody[] }>(key, 'GET', `/campaigns/${id}/numbers`);
    expect(Object.fromEntries(numbers.body.numbers.map((n) => [n.externalId, n.status]))).toEqual({ 'k-1': 'answered', 'k-2': 'answered', 'k-3': 'cancelled' });
    const one1 = await withKey<{ attempts: AttemptBody[] }>(key, 'GET', `/campaigns/${id}/numbers/${numbers.body.numbers.find((n) => n.externalId === 'k-1')!.id}`);
    expect(one1.body.attempts.map((a) => [a.outcome, a.error]), JSON.stringify(one1.body.attempts.map((a) => [a.outcome, a.error]))).toEqual([["human", null]]);
    const attempts = await withKey<{ attempts: AttemptBody[] }>(key, 'GET', `/attempts?campaignId=${id}`);
    // (Without the dispatcher's "released" bookkeeping rows; see listAttempts in ./helpers.ts.)
    const calls = attempts.body.attempts.filter((a) => !a.error?.startsWith('released:'));
    expect(calls.map((a) => a.outcome)).toEqual(['human', 'human']);
    const single = await withKey<AttemptBody>(key, 'GET', `/attempts/${calls[0]!.id}`);
    expect(single.status).toBe(200);
    const stats = await withKey<{ numbers: Record<string, number> }>(key, 'GET', `/campaigns/${id}/stats`);
    expect(stats.body.numbers).toEqual({ answered: 2, cancelled: 1 });
    const csv = await fetch(`${t.url}/api/v1/campaigns/${id}/attempts.csv`, { headers: { 'x-api-key': key } });
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split(/\r?\n/)).toHaveLength(3);
    expect((await withKey<{ campaigns: { id: string }[] }>(key, 'GET', '/campaigns')).body.campaigns.map((c) => c.id)).toContain(id);

    const done = await withKey<CampaignBody>(key, 'POST', `/campaigns/${id}/complete`);
    expect(done.body).toMatchObject({ status: 'completed', statusReason: 'manual', statusDetail: `api:${keyId}` });

    const listed = await t.api<{ keys: { id: string; lastUsedAt: string | null }[] }>('GET', '/api-keys');
    expect(listed.body.keys[0]!.lastUsedAt).toBeTruthy();
    // An integration finds the templateId it starts campaigns with; test calls stay the console's.
    const templates = await withKey<{ templates: { id: string }[] }>(key, 'GET', '/templates');
    expect(templates.status).toBe(200);
    expect(templates.body.templates.map((x) => x.id)).toContain(templateId);
    expect((await withKey(key, 'POST', '/test-calls', { templateId, phone: magic('0004') })).status).toBe(403);
  });

  it('a forged, malformed or revoked key is refused with 401 and a clear message', async () => {
    const forged = `${key.slice(0, -4)}AAAA`;
    for (const k of [forged, 'dzv_nope', 'Bearer-something', `dzv_zzzzzzzz_${'a'.repeat(32)}`]) {
      const r = await withKey<ErrorBody>(k, 'GET', '/campaigns');
      expect(r.status, k).toBe(401);
      expect(r.body.error.message).toBe('The API key is not valid.');
    }
    const second = await t.api<{ id: string; key: string }>('POST', '/api-keys', { name: 'to revoke' });
    expect((await withKey(second.body.key, 'GET', '/campaigns')).status).toBe(200);
    expect((await t.api('DELETE', `/api-keys/${second.body.id}`)).status).toBe(204);
    expect((await withKey(second.body.key, 'GET', '/campaigns')).status).toBe(401);
    expect((await t.api('DELETE', `/api-keys/${second.body.id}`)).status).toBe(404);
    const listed = await t.api<{ keys: { id: string; revokedAt: string | null }[] }>('GET', '/api-keys');
    expect(listed.body.keys.find((k) => k.id === second.body.id)!.revokedAt).toBeTruthy();
    // The first key still works.
    expect((await withKey(key, 'GET', '/campaigns')).status).toBe(200);
  });
});

describe('accounts are separate', () => {
  it("a key of account B never sees account A's campaign, numbers, attempts, template or statistics (404)", async () => {
    const a = await createCampaign(t, templateId);
    const added = await t.api<{ contactId: string }>('POST', `/campaigns/${a.id}/numbers`, { phone: magic('0004', '+7900710'), externalId: 'secret-lead' });
    expect(added.status).toBe(201);
    const [numberA] = await waitSettled(t, a.id);
    const attemptsA = await t.api<{ attempts: AttemptBody[] }>('GET', `/attempts?campaignId=${a.id}`);
    const attemptA = attemptsA.body.attempts[0]!;

    const { tenant: b } = await upsertTenant(t.dozvon.app.db, { kind: 'bitrix24', externalId: 'portal-b.bitrix24.ru', name: 'Portal B', locale: 'ru' });
    const seeded = await seedStarter(t.dozvon.app, b.id, 'ru');
    const keyB = (await createApiKey(t.dozvon.app, b.id, null, { name: 'B integration' })).key;
    const ownB = await withKey<CampaignBody>(keyB, 'POST', '/campaigns', { name: 'B campaign', templateId: seeded!.templateId });
    expect(ownB.status).toBe(201);
    expect((await withKey<{ campaigns: { id: string }[] }>(keyB, 'GET', '/campaigns')).body.campaigns.map((c) => c.id)).toEqual([ownB.body.id]);

    const notFound: [string, string, unknown?][] = [
      ['GET', `/campaigns/${a.id}`],
      ['PATCH', `/campaigns/${a.id}`, { name: 'mine now' }],
      ['POST', `/campaigns/${a.id}/pause`],
      ['POST', `/campaigns/${a.id}/resume`],
      ['POST', `/campaigns/${a.id}/complete`],
      ['POST', `/campaigns/${a.id}/start`],
      ['POST', `/campaigns/${a.id}/numbers`, { phone: magic('0004', '+7900711') }],
      ['POST', `/campaigns/${a.id}/numbers/batch`, { items: [{ phone: magic('0004', '+7900711') }] }],
      ['POST', `/campaigns/${a.id}/numbers/cancel`, { externalIds: ['secret-lead'] }],
      ['GET', `/campaigns/${a.id}/numbers`],
      ['GET', `/campaigns/${a.id}/numbers/${numberA!.id}`],
      ['GET', `/campaigns/${ownB.body.id}/numbers/${numberA!.id}`],
      ['GET', `/campaigns/${a.id}/stats`],
      ['GET', `/campaigns/${a.id}/attempts.csv`],
      ['GET', `/attempts/${attemptA.id}`],
      ['GET', `/templates/${templateId}/stats`],
      ['GET', `/templates/${templateId}`],
      ['GET', `/templates/${templateId}/versions`],
      ['DELETE', `/campaigns/${a.id}`],
    ];
    for (const [method, path, body] of notFound) {
      const r = await withKey<ErrorBody>(keyB, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('secret-lead');
    }
    expect((await withKey<{ templates: { id: string }[] }>(keyB, 'GET', '/templates')).body.templates.map((x) => x.id)).toEqual([seeded!.templateId]);
    const attemptsB = await withKey<{ attempts: AttemptBody[] }>(keyB, 'GET', `/attempts?campaignId=${a.id}`);
    expect(attemptsB.body.attempts).toEqual([]);
    expect((await withKey<{ attempts: AttemptBody[] }>(keyB, 'GET', '/attempts')).body.attempts).toEqual([]);
    const steal = await withKey<ErrorBody>(keyB, 'POST', '/campaigns', { name: 'uses A template', templateId });
    expect(steal.status).toBe(422);
    expect(steal.body.error.details[0]).toMatchObject({ path: 'templateId', reason: 'validation.reference_not_found' });

    // A's campaign is untouched.
    const still = await t.api<CampaignBody>('GET', `/campaigns/${a.id}`);
    expect(still.body).toMatchObject({ status: 'running', numbers: { answered: 1 } });
    // And A's own key does not see B's campaign either.
    expect((await withKey(key, 'GET', `/campaigns/${ownB.body.id}`)).status).toBe(404);
  });
});
