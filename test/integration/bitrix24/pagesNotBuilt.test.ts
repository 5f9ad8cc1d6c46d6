import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveWidgetsFrom } from '../../../src/http/bitrix24/static.js';
import { consoleDistDir, serveConsoleFrom } from '../../../src/http/console/consoleFiles.js';
import { encodeForm, type Portal } from '../../fakes/bitrix24/index.js';
import { startHarness, type B24Harness } from './support.js';

/**
 * The fuzz bench found POST /bitrix24/app answering 500 "could not prepare the page", and
 * GET /bitrix24/static/.. (which the client sends as /bitrix24/, the console's page) answering 500,
 * while `npm ci` / `npm run build:ui` rebuilt the console: Vite empties console/dist first and
 * writes index.html last. A console that is not there (or not whole) is a passing state of the
 * server, not a bug in the request: 503 with Retry-After and the message in the page's language.
 */
let h: B24Harness;
let portal: Portal;
let dir: string;
let restore = (): void => undefined;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal();
  await h.install(portal);
});
afterAll(async () => h?.stop());
afterEach(() => {
  restore();
  restore = () => undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function consoleIn(files: Record<string, string | null>): void {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-console-'));
  for (const [name, content] of Object.entries(files)) {
    if (content === null) fs.mkdirSync(path.join(dir, name));
    else fs.writeFileSync(path.join(dir, name), content);
  }
  restore = serveConsoleFrom(dir);
}

function openApp(lang: 'en' | 'ru', over: Record<string, string> = {}): Promise<Response> {
  const t = portal.issueTokens(1);
  const form = { AUTH_ID: t.accessToken, AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId, status: 'L', PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '[]', ...over };
  return fetch(`${h.t.url}/bitrix24/app?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=${lang}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(form),
  });
}

describe('the Bitrix24 app page and the console page while the console is not built', () => {
  it('a genuinely missing console: 503 with Retry-After and the translated message, never 500', async () => {
    consoleIn({});
    const en = await openApp('en');
    expect(en.status).toBe(503);
    expect(en.headers.get('retry-after')).toBeTruthy();
    expect(await en.text()).toContain('The page could not be prepared. Please try again in a minute.');
    const ru = await openApp('ru');
    expect(ru.status).toBe(503);
    expect(await ru.text()).toContain('Не удалось подготовить страницу');
    // What the fuzz sent as GET /bitrix24/static/.. arrives as the console's /bitrix24/ page.
    const page = await fetch(`${h.t.url}/bitrix24/static/..`);
    expect(new URL(page.url).pathname).toBe('/bitrix24/');
    expect(page.status).toBe(503);
  });

  it('the deal tab without its built frame pages: 503 and the translated message', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-widgets-'));
    restore = serveWidgetsFrom(dir);
    const t = portal.issueTokens(1);
    const deal = portal.addDeal({ title: 'Tab' });
    const res = await fetch(`${h.t.url}/bitrix24/placement/deal_tab?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=ru`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ AUTH_ID: t.accessToken, AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId, PLACEMENT: 'CRM_DEAL_DETAIL_TAB', PLACEMENT_OPTIONS: JSON.stringify({ ID: String(deal) }) }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(await res.text()).toContain('Не удалось подготовить страницу');
  });

  it('a request that is wrong stays a precise 4xx, built or not', async () => {
    consoleIn({});
    expect((await openApp('en', { AUTH_ID: 'forged' })).status).toBe(401);
    expect((await openApp('en', { member_id: '' })).status).toBe(422);
  });

  it('mid-rebuild — index.html half written, or not readable — is 503, and the page comes back once it is whole', async () => {
    consoleIn({ 'index.html': null });
    expect((await openApp('en')).status).toBe(503);
    expect((await fetch(`${h.t.url}/bitrix24/`)).status).toBe(503);
    restore();
    fs.rmSync(dir, { recursive: true, force: true });

    // A file where the build folder should be (stat fails with ENOTDIR, not ENOENT).
    consoleIn({ dist: 'not a folder' });
    restore();
    restore = serveConsoleFrom(path.join(dir, 'dist'));
    expect((await openApp('en')).status).toBe(503);
    expect((await fetch(`${h.t.url}/bitrix24/`)).status).toBe(503);
    restore();
    fs.rmSync(dir, { recursive: true, force: true });

    consoleIn({ 'index.html': '<!doctype html><html lang="en"><head><title>Dozvon</title>' });
    expect((await openApp('en')).status).toBe(503);
    restore();
    fs.rmSync(dir, { recursive: true, force: true });

    consoleIn({ 'index.html': fs.readFileSync(path.join(consoleDistDir, 'index.html'), 'utf8') });
    const ok = await openApp('en');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('/bitrix24/static/b24jssdk.js');
  });
});
