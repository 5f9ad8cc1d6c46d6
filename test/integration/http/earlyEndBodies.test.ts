import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installProcessGuards, type ProcessGuards } from '../../../src/processGuards.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { captureLog, type CapturedLog } from '../../support/captureLog.js';
import { rawRequest } from '../../support/rawHttp.js';
import { buildRouteWorld, type RouteWorld } from '../../support/routeWorld.js';

/**
 * Every mounted route — read from the routers themselves, so routes added later are covered
 * without being listed here — gets a body that ends early: Content-Length says 64 KiB, a few
 * hundred bytes arrive (JSON, a form, a multipart upload), then the client hangs up. Nothing may
 * end the process or leave an error unhandled or answer 5xx, and /health still answers. (Whether a
 * refused request wrote anything is the fuzz suite's question: a route that reads no body, such as
 * a DELETE, rightly acts on the headers alone.)
 */
let t: TestApp;
let world: RouteWorld;
let logs: CapturedLog;
let guards: ProcessGuards;

beforeAll(async () => {
  logs = captureLog('error');
  guards = installProcessGuards(logs.log);
  const clientId = `local.${crypto.randomBytes(7).toString('hex')}.1`;
  t = await startTestApp({ B24_CLIENT_ID: clientId, B24_CLIENT_SECRET: 'secret-secret', CRM_ALLOW_HTTP: 'true', WORKERS: 'false' }, { log: logs.log });
  world = await buildRouteWorld(t);
}, 120_000);
afterAll(async () => {
  guards?.remove();
  await t?.stop();
});

const boundary = '----dozvonEarlyEnd';
const BODIES: { type: string; body: string }[] = [
  { type: 'application/json', body: `{"name":"${'x'.repeat(200)}","items":[{"phone":"+79001234567"},` },
  { type: 'application/x-www-form-urlencoded', body: `event=ONAPPINSTALL&auth[member_id]=abc&data[CLEAN]=1&${'a'.repeat(200)}=` },
  { type: `multipart/form-data; boundary=${boundary}`, body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nphone\n+79001234567\n` },
];

describe('every route, a body that ends early', () => {
  it('no crash, no unhandled error, no 5xx logged; every request finishes; /health answers', async () => {
    const routes = t.dozvon.routes;
    // The routers were really walked: each audience is there.
    for (const prefix of ['/api/v1/', '/bitrix24/', '/voice/sandbox/', '/recordings/', '/health']) {
      expect(routes.some((r) => r.path.startsWith(prefix)), prefix).toBe(true);
    }
    const auths: Record<string, string>[] = [{}, { authorization: `Bearer ${t.token}` }, { 'x-api-key': world.apiKey }];
    const jobs = routes.flatMap((r) => BODIES.flatMap((b) => auths.map((auth) => ({ r, b, auth }))));
    // The client hangs up once the server has the request in hand (earlier, the request may never be parsed).
    const received = new Map<string, () => void>();
    t.dozvon.server.on('request', (req) => received.get(String(req.headers['x-test-id']))?.());
    const whenReceived = (id: string) => new Promise<void>((resolve) => received.set(id, resolve));
    // A few at a time, as clients would.
    for (let i = 0; i < jobs.length; i += 12) {
      await Promise.all(
        jobs.slice(i, i + 12).map(({ r, b, auth }, j) => {
          const id = String(i + j);
          return rawRequest({
            url: t.url,
            method: r.method,
            path: world.fill(r.path),
            headers: { ...auth, 'content-type': b.type, 'content-length': String(64 * 1024), 'x-test-id': id },
            body: b.body,
            hangUp: whenReceived(id),
          });
        }),
      );
    }
    // Every handler finishes (one waiting forever on a body that never comes would hang here).
    await t.dozvon.requests.idle();
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect(guards.caught(), JSON.stringify(logs.lines())).toBe(0);
    expect(logs.lines().filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});
