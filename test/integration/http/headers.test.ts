import crypto from 'node:crypto';
import fs from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDozvon } from '../../../src/main.js';
import { freshDatabaseEnv, pgliteTemplate } from '../../support/db.js';
import { startHarness, type B24Harness } from '../bitrix24/support.js';

/**
 * What every response says about itself: a restrictive CSP and X-Frame-Options: DENY on the API,
 * the status page and error pages (JSON or HTML) — except the pages a CRM frames, which set their
 * own policy; no caching of /api; 404 for unknown paths, 405 with Allow for a known path with
 * another method; the status page names server file paths only to this machine or an admin.
 */
let h: B24Harness;
let url: string;

beforeAll(async () => {
  h = await startHarness();
  url = h.t.url;
});
afterAll(async () => h?.stop());

const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function expectLockedDown(res: Response, what: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toMatch(/default-src '(none|self)'/);
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
}

describe('security headers', () => {
  it('the API, /health, the status page and recordings send a restrictive CSP and X-Frame-Options: DENY', async () => {
    const api = await h.t.api('GET', '/templates');
    expect(api.status).toBe(200);
    const asResponse = new Response(null, { headers: api.headers });
    expectLockedDown(asResponse, 'GET /api/v1/templates');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expectLockedDown(await fetch(`${url}/health`), '/health');
    expectLockedDown(await fetch(`${url}/status`), 'status page');
    expectLockedDown(await fetch(`${url}/`), 'web console');
    expectLockedDown(await fetch(`${url}/campaigns/42`), 'web console screen');
    expectLockedDown(await fetch(`${url}/api/v1/openapi.json`), 'openapi');
  });

  it("the status page's CSP admits exactly its own inline stylesheet", async () => {
    const res = await fetch(`${url}/status`);
    const html = await res.text();
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = crypto.createHash('sha256').update(css, 'utf8').digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`style-src 'sha256-${hash}'`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/);
  });

  it('errors — JSON for programs and /api, a page for browsers elsewhere — are locked down as well', async () => {
    const apiMissing = await fetch(`${url}/api/v1/no-such-thing`, { headers: browser });
    expect(apiMissing.status).toBe(404);
    expect(apiMissing.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await apiMissing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expectLockedDown(apiMissing, 'API 404');

    const page = await fetch(`${url}/no-such-page`, { headers: { ...browser, 'accept-language': 'ru' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Ошибка 404');
    expect(html).toContain('По адресу /no-such-page ничего нет.');
    expectLockedDown(page, 'HTML 404');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(page.headers.get('content-security-policy')).toContain(crypto.createHash('sha256').update(css, 'utf8').digest('base64'));

    const program = await fetch(`${url}/no-such-page`);
    expect(program.headers.get('content-type')).toMatch(/application\/json/);
    expectLockedDown(program, 'JSON 404 outside /api');

    const unauth = await fetch(`${url}/api/v1/templates`);
    expect(unauth.status).toBe(401);
    expectLockedDown(unauth, '401');
  });

  it('pages framed by Bitrix24 keep their own policy and are not forbidden to be framed; its JSON is locked down', async () => {
    const portal = await h.newPortal();
    const install = await portal.installApp();
    expect(install.page?.status).toBe(200);
    const headers = install.page!.headers as Record<string, string>;
    expect(headers['x-frame-options']).toBeUndefined();
    await portal.installFinish();
    await portal.flush();
    const tab = await portal.openPlacement('CRM_DEAL_DETAIL_TAB', { ID: '1' });
    const tabHeaders = tab.headers as Record<string, string>;
    expect(tab.status).toBe(200);
    expect(tabHeaders['x-frame-options']).toBeUndefined();
    expect(tabHeaders['content-security-policy']).toContain(`frame-ancestors 'self' https://${portal.domain}`);
    expect(tabHeaders['content-security-policy']).not.toContain("frame-ancestors 'none'");

    // An error under /bitrix24/ is never our (unframeable) error page: the frame pages render their own.
    const missing = await fetch(`${url}/bitrix24/no-such-page`, { headers: browser });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);

    const events = await fetch(`${url}/bitrix24/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'event=NOPE' });
    expect(events.headers.get('content-type')).toMatch(/json/);
    expectLockedDown(events, 'bitrix24 JSON');
  });
});

describe('unknown paths and methods', () => {
  it('a known path with another method is 405 with Allow; OPTIONS answers with Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/health', 'GET, HEAD, OPTIONS'],
      ['PUT', '/api/v1/templates', 'GET, HEAD, OPTIONS, POST'],
      ['GET', '/api/v1/auth/login', 'OPTIONS, POST'],
      ['POST', '/recordings/abc', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/api/v1/auth/logout', 'OPTIONS, POST'],
      ['POST', `/api/v1/campaigns/${crypto.randomUUID()}/stats`, 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetch(`${url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('method_not_allowed');
      expect(body.error.message).toBe(`${method} is not allowed here; allowed: ${allow}.`);
      expectLockedDown(res, `${method} ${path}`);
    }
    const options = await fetch(`${url}/api/v1/templates`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('an unknown path is 404, whatever the method; an unknown API path is JSON', async () => {
    for (const method of ['GET', 'POST', 'DELETE', 'PROPFIND']) {
      const res = await fetch(`${url}/api/v1/definitely/not/here`, { method });
      expect(res.status, method).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    }
  });
});

describe('the status page and server paths', () => {
  it('names the setup-code file in full only to this machine', async () => {
    const dbEnv = await freshDatabaseEnv();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const d = await startDozvon({ PORT: '0', WORKERS: 'false', SANDBOX_TTS: 'generated', ...dbEnv }, { pgliteTemplate: pgliteTemplate(), log });
    try {
      const local = await (await fetch(`${d.url}/status`)).text();
      expect(local).toContain(`${dbEnv.DATA_DIR}/setup-code.txt`);
      // Through a proxy (TRUST_PROXY=0): the socket is loopback, but the client is not this machine.
      const proxied = await (await fetch(`${d.url}/status`, { headers: { 'x-forwarded-for': '203.0.113.5' } })).text();
      expect(proxied).not.toContain(dbEnv.DATA_DIR);
      expect(proxied).toContain('setup-code.txt in the data directory (DATA_DIR) on the server');
      // The operator is told, once, that a proxy is in front but not trusted.
      expect(lines.filter((l) => l.includes('TRUST_PROXY is 0'))).toHaveLength(1);
      const ru = await (await fetch(`${d.url}/status`, { headers: { forwarded: 'for=203.0.113.5', 'accept-language': 'ru' } })).text();
      expect(ru).toContain('файла setup-code.txt в каталоге данных (DATA_DIR) на сервере');
      expect(ru).not.toContain(dbEnv.DATA_DIR);
    } finally {
      await d.stop();
      fs.rmSync(dbEnv.DATA_DIR, { recursive: true, force: true });
    }
  });

  it('shows the data directory to this machine and to a signed-in admin, not to others', async () => {
    const dataDir = h.t.env.DATA_DIR!;
    const away = { 'x-forwarded-for': '203.0.113.5' };
    expect(await (await fetch(`${url}/status`)).text()).toContain(dataDir);
    expect(await (await fetch(`${url}/status`, { headers: away })).text()).not.toContain(dataDir);
    expect(await (await fetch(`${url}/status`, { headers: { ...away, authorization: `Bearer ${h.t.token}` } })).text()).toContain(dataDir);
    const manager = { email: 'status-manager@example.com', password: 'manager-password-1' };
    await h.t.api('POST', '/users', { ...manager, name: 'M', role: 'manager' });
    const token = (await h.t.api<{ token: string }>('POST', '/auth/login', manager, { token: null })).body.token;
    expect(await (await fetch(`${url}/status`, { headers: { ...away, authorization: `Bearer ${token}` } })).text()).not.toContain(dataDir);
    expect(await (await fetch(`${url}/status`, { headers: { ...away, authorization: 'Bearer forged' } })).text()).not.toContain(dataDir);
  });
});
