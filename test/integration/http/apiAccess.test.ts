import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/engine/auth/apiKeys.js';
import { apiRoutes } from '../../../src/http/api/v1/index.js';
import type { AnyRoute } from '../../../src/http/route.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * Every route of the API, by who may call it. A key has a role as a user does, and it counts: a
 * manager key never gets past an admin-level route; no key reaches the console-only routes (users,
 * API keys, the webhook secret, test calls); a manager key can do what a manager user can,
 * including listing templates. Driven from the route table, so a new route is covered the day it
 * is added.
 */
let t: TestApp;
const callers: Record<'managerKey' | 'adminKey' | 'managerUser', Record<string, string>> = { managerKey: {}, adminKey: {}, managerUser: {} };

beforeAll(async () => {
  t = await startTestApp();
  callers.managerKey = { 'x-api-key': (await createApiKey(t.dozvon.app, t.tenantId, null, { name: 'manager key', role: 'manager' })).key };
  callers.adminKey = { 'x-api-key': (await createApiKey(t.dozvon.app, t.tenantId, null, { name: 'admin key', role: 'admin' })).key };
  const manager = { email: 'access-manager@example.com', password: 'manager-password-1' };
  expect((await t.api('POST', '/users', { ...manager, name: 'M', role: 'manager' })).status).toBe(201);
  const login = await t.api<{ token: string }>('POST', '/auth/login', manager, { token: null });
  callers.managerUser = { authorization: `Bearer ${login.body.token}` };
});
afterAll(async () => t?.stop());

const routes = apiRoutes();
const pathOf = (r: AnyRoute) => r.path.replace(/:(\w+)/g, () => crypto.randomUUID());

/** The status only: the body is not read (GET /events is a stream that does not end). */
async function call(r: AnyRoute, who: keyof typeof callers): Promise<number> {
  const get = r.method === 'get';
  const res = await fetch(`${t.url}/api/v1${pathOf(r)}`, {
    method: r.method.toUpperCase(),
    headers: { ...callers[who], ...(get ? {} : { 'content-type': 'application/json' }) },
    ...(get ? {} : { body: '{}' }),
  });
  await res.body?.cancel();
  return res.status;
}

const byAccess = (access: AnyRoute['access']) => routes.filter((r) => r.access === access);
const label = (r: AnyRoute) => `${r.method.toUpperCase()} ${r.path}`;

describe('who may call which route', () => {
  it('every route states one of the known audiences', () => {
    for (const r of routes) expect(['public', 'user', 'admin', 'apiKey', 'userOrApiKey', 'adminOrAdminKey'], label(r)).toContain(r.access);
  });

  it('no key reaches a console-only route: users, API keys, the webhook secret, test calls, own sessions', async () => {
    const consoleOnly = [...byAccess('user'), ...byAccess('admin')];
    expect(consoleOnly.map(label)).toEqual(expect.arrayContaining(['POST /api-keys', 'GET /settings/webhooks', 'PATCH /users/:id', 'POST /test-calls', 'GET /auth/sessions']));
    for (const r of consoleOnly) {
      expect(await call(r, 'managerKey'), label(r)).toBe(403);
      expect(await call(r, 'adminKey'), label(r)).toBe(403);
    }
  });

  it('a manager key — like a manager user — is refused every admin-level route; an admin key gets past the check', async () => {
    const adminLevel = byAccess('adminOrAdminKey');
    expect(adminLevel.map(label)).toEqual(expect.arrayContaining(['POST /templates', 'PUT /templates/:id', 'DELETE /scenarios/:id', 'PUT /settings/limits', 'POST /greetings']));
    for (const r of adminLevel) {
      expect(await call(r, 'managerKey'), label(r)).toBe(403);
      expect(await call(r, 'managerUser'), label(r)).toBe(403);
      expect([401, 403], label(r)).not.toContain(await call(r, 'adminKey'));
    }
    for (const r of byAccess('admin')) expect(await call(r, 'managerUser'), label(r)).toBe(403);
  });

  it('a manager key can do what a manager may, listing templates among it', async () => {
    const managerLevel = byAccess('userOrApiKey');
    expect(managerLevel.map(label)).toEqual(expect.arrayContaining(['GET /templates', 'GET /templates/:id', 'POST /campaigns', 'POST /campaigns/:id/numbers/batch']));
    for (const r of managerLevel) expect([401, 403], label(r)).not.toContain(await call(r, 'managerKey'));
  });

  it('an admin key changes a template; a manager key reads it but cannot', async () => {
    const list = await t.api<{ templates: { id: string; name: string; settings: Record<string, unknown> }[] }>('GET', '/templates', undefined, { token: null, headers: callers.managerKey });
    expect(list.status).toBe(200);
    const tpl = list.body.templates[0]!;
    const body = { ...tpl.settings, intensity: 2 };
    expect((await t.api('PUT', `/templates/${tpl.id}`, body, { token: null, headers: callers.managerKey })).status).toBe(403);
    const changed = await t.api<{ settings: { intensity: number } }>('PUT', `/templates/${tpl.id}`, body, { token: null, headers: callers.adminKey });
    expect(changed.status).toBe(200);
    expect(changed.body.settings.intensity).toBe(2);
  });
});
