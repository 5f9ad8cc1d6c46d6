import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

/** Without B24_CLIENT_ID / B24_CLIENT_SECRET the adapter mounts nothing. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

describe('Bitrix24 without credentials', () => {
  it('has no routes', async () => {
    for (const path of ['/bitrix24/install', '/bitrix24/robot', '/bitrix24/events', '/bitrix24/app', '/bitrix24/placement/deal_tab']) {
      const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${t.url}/bitrix24/api/templates`)).status).toBe(404);
  });
});
