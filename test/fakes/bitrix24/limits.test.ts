import { AjaxError, B24OAuth } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from './index.js';
import { rest } from './testSupport.js';

/** Leaky bucket, operating limit, token errors and fault injection (brief §4, gotchas 11-12). */
describe('limits and errors', () => {
  let emu: Bitrix24Emulator;

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
  });

  afterAll(async () => {
    await emu.stop();
  });

  it('answers 503 QUERY_LIMIT_EXCEEDED once the burst is used up and recovers at the drain rate', async () => {
    // A slow drain keeps the test independent of how fast the machine sends the requests.
    const portal = await emu.createPortal({ rateLimit: { burst: 5, drainPerSecond: 0.01 } });
    const token = portal.issueTokens().accessToken;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await rest(portal.clientEndpoint, 'profile', {}, token)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(503);
    const refused = await rest(portal.clientEndpoint, 'profile', {}, token);
    expect(refused.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    emu.clock.advance(200_000); // drains 2 requests
    expect((await rest(portal.clientEndpoint, 'profile', {}, token)).status).toBe(200);
    expect(portal.calls('profile').filter((c) => c.status === 503).length).toBeGreaterThanOrEqual(2);
  });

  it('counts a batch as one request toward the bucket', async () => {
    const portal = await emu.createPortal({ rateLimit: { burst: 2, drainPerSecond: 0.001 } });
    const token = portal.issueTokens().accessToken;
    const cmd = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, 'profile']));
    const batch = await rest(portal.clientEndpoint, 'batch', { halt: 0, cmd }, token);
    expect(batch.status).toBe(200);
    expect(Object.keys((batch.body['result'] as { result: object }).result)).toHaveLength(40);
    expect((await rest(portal.clientEndpoint, 'profile', {}, token)).status).toBe(200);
    expect((await rest(portal.clientEndpoint, 'profile', {}, token)).status).toBe(503);
  });

  it('uses enterprise limits for enterprise portals', async () => {
    const portal = await emu.createPortal({ plan: 'enterprise' });
    expect(portal.rateLimit).toEqual({ drainPerSecond: 5, burst: 250 });
    const normal = await emu.createPortal();
    expect(normal.rateLimit).toEqual({ drainPerSecond: 2, burst: 50 });
  });

  it('blocks one method with 429 OPERATION_TIME_LIMIT when its operating time is used up; others keep working', async () => {
    const portal = await emu.createPortal({ rateLimit: null, operatingLimit: { limitSeconds: 1 } });
    portal.setMethodCost('crm.deal.list', 0.4);
    const token = portal.issueTokens().accessToken;
    const operating: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await rest(portal.clientEndpoint, 'crm.deal.list', {}, token);
      expect(res.status).toBe(200);
      operating.push((res.body['time'] as { operating: number }).operating);
    }
    expect(operating).toEqual([0.4, 0.8, 1.2]);
    const blocked = await rest(portal.clientEndpoint, 'crm.deal.list', {}, token);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ error: 'OPERATION_TIME_LIMIT' });
    expect((await rest(portal.clientEndpoint, 'crm.contact.list', {}, token)).status).toBe(200);
    // Sub-calls of a batch are blocked the same way and counted per method.
    const batch = await rest(portal.clientEndpoint, 'batch', { cmd: { a: 'crm.deal.list', b: 'crm.lead.list' } }, token);
    expect((batch.body['result'] as { result_error: Record<string, { error: string }> }).result_error['a']?.error).toBe('OPERATION_TIME_LIMIT');
    // The window is ten minutes of emulator time.
    emu.clock.advance(10 * 60_000 + 1);
    expect((await rest(portal.clientEndpoint, 'crm.deal.list', {}, token)).status).toBe(200);
  });

  it('charges COUNT scans of big tables, not the >ID + start=-1 fast path', async () => {
    const portal = await emu.createPortal({ rateLimit: null });
    portal.seedDeals(5_000);
    const token = portal.issueTokens().accessToken;
    await rest(portal.clientEndpoint, 'crm.deal.list', { filter: { '>ID': 4_000 }, order: { ID: 'ASC' }, start: -1 }, token);
    await rest(portal.clientEndpoint, 'crm.deal.list', { start: 100 }, token);
    const [fast, counted] = portal.calls('crm.deal.list');
    expect(fast?.scannedRows).toBe(50);
    expect(counted?.scannedRows).toBe(5_000);
    expect(counted?.cost).toBeGreaterThan(fast?.cost ?? 0);
  });

  it('distinguishes expired, unknown and missing tokens, unknown methods and missing scopes', async () => {
    const portal = await emu.createPortal({ app: { scope: ['crm'] } });
    const token = portal.issueTokens().accessToken;
    expect((await rest(portal.clientEndpoint, 'profile', {}, 'nope')).body).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    expect((await rest(portal.clientEndpoint, 'profile', {})).status).toBe(401);
    const notFound = await rest(portal.clientEndpoint, 'crm.nothing.here', {}, token);
    expect([notFound.status, notFound.body['error']]).toEqual([404, 'ERROR_METHOD_NOT_FOUND']);
    const scope = await rest(portal.clientEndpoint, 'bizproc.robot.list', {}, token);
    expect([scope.status, scope.body['error']]).toEqual([403, 'insufficient_scope']);
    // A token of another portal is unknown here.
    const other = await emu.createPortal();
    expect((await rest(portal.clientEndpoint, 'profile', {}, other.issueTokens().accessToken)).body['error']).toBe('NO_AUTH_FOUND');
    // Lifetime runs on emulator time.
    portal.setAccessTokenTtl(60);
    const shortLived = portal.issueTokens().accessToken;
    emu.clock.advance(61_000);
    const expired = await rest(portal.clientEndpoint, 'profile', {}, shortLived);
    expect([expired.status, expired.body]).toEqual([401, { error: 'expired_token', error_description: 'The access token provided has expired.' }]);
  });

  it('injects faults: an HTML 502 page (the SDK retries it) and JSON errors (hard ones are thrown)', async () => {
    const portal = await emu.createPortal({ rateLimit: null });
    const token = portal.issueTokens().accessToken;
    portal.failNext('crm.deal.list', { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const html = await rest(portal.clientEndpoint, 'crm.deal.list', {}, token);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toContain('Bad Gateway');
    expect((await rest(portal.clientEndpoint, 'crm.deal.list', {}, token)).status).toBe(200);

    portal.failNext('crm.deal.list', { status: 502, body: '<html>502 Bad Gateway</html>', times: 1 });
    const b24 = new B24OAuth(portal.oauthParams(), { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret }, {
      restrictionParams: { maxRetries: 3, retryDelay: 10 },
    });
    const res = await b24.actions.v2.call.make({ method: 'crm.deal.list' });
    expect(res.isSuccess).toBe(true);
    expect(portal.calls('crm.deal.list').slice(-2).map((c) => c.status)).toEqual([502, 200]);

    // INTERNAL_SERVER_ERROR is one of the SDK's hard codes: thrown at once, not retried.
    portal.failNext('crm.deal.list', { status: 500, error: 'INTERNAL_SERVER_ERROR', description: 'boom', times: 2 });
    await expect(b24.actions.v2.call.make({ method: 'crm.deal.list' })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR', status: 500 });
    portal.clearFaults();

    portal.failNext('*', { status: 403, error: 'ACCESS_DENIED', description: 'REST API is available only on commercial plans' });
    await expect(b24.actions.v2.call.make({ method: 'profile' })).rejects.toBeInstanceOf(AjaxError);
  });
});
