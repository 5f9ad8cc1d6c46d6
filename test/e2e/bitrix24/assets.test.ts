import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WidgetFiles } from '../../../src/http/bitrix24/static.js';
import { readWidgetManifest, widgetsDir } from '../../../src/http/bitrix24/widgetManifest.js';
import { buildWidgets } from '../../../scripts/buildWidgets.js';
import { encodeForm, type Portal } from '../../fakes/bitrix24/index.js';
import { startHarness, type B24Harness } from '../../integration/bitrix24/support.js';

/**
 * How the pages are served, without a browser: headers that let only the portal frame them, the
 * bundled scripts with content-hashed names cached for good, a refusal as a readable page, and the
 * build that produces them (scripts/buildWidgets.ts).
 */
let h: B24Harness;
let portal: Portal;
let deal: number;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal();
  await h.install(portal);
  deal = portal.addDeal({ title: 'Assets' });
});
afterAll(async () => {
  await h?.stop();
});

const scriptsOf = (html: string) => [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
const stylesOf = (html: string) => [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);

describe('serving the frame pages', () => {
  it('a placement page may be framed by its portal only, and is not cached', async () => {
    const page = await portal.openPlacement('CRM_DEAL_DETAIL_TAB', { ID: String(deal) });
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp).toContain(`frame-ancestors 'self' https://${portal.domain} http://${portal.domain}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' https://${portal.domain} http://${portal.domain}`);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).not.toContain(page.auth.accessToken);
  });

  it('serves the bundled scripts and styles with content-hashed names, cached for good', async () => {
    const page = await portal.openPlacement('CRM_DEAL_LIST_MENU', { ID: String(deal) });
    const module = scriptsOf(page.body).find((s) => /\/bitrix24\/static\/menu-[A-Z0-9]+\.js$/.test(s));
    const css = stylesOf(page.body)[0];
    expect(module).toBeDefined();
    expect(css).toMatch(/^\/bitrix24\/static\/style-[A-Z0-9]+\.css$/);

    const js = await fetch(`${h.t.url}${module}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = js.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const source = await js.text();
    expect(source).toContain('sourceMappingURL=');
    const again = await fetch(`${h.t.url}${module}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);

    const style = await fetch(`${h.t.url}${css}`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');

    expect((await fetch(`${h.t.url}/bitrix24/static/nope-AAAA.js`)).status).toBe(404);
    expect((await fetch(`${h.t.url}/bitrix24/static/..%2Fstatic.ts`)).status).toBe(404);
  });

  it('a page refused for a forged user token is a readable page in the portal language', async () => {
    const t = portal.issueTokens(1);
    const form = {
      AUTH_ID: 'forged', AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId,
      status: 'L', PLACEMENT: 'CRM_DEAL_DETAIL_TAB', PLACEMENT_OPTIONS: JSON.stringify({ ID: String(deal) }),
    };
    const res = await fetch(`${h.t.url}/bitrix24/placement/deal_tab?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=ru&APP_SID=x`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(form),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/[а-яё]{4,}/i);
  });
});

describe('the build of the pages', () => {
  it('rebuilds what changed, keeps the files of the build before servable, and drops older ones', async () => {
    // A copy of the widgets inside the repository (its git-ignored tmp/, outside tsconfig), so
    // node_modules resolve as for the real ones.
    const base = path.resolve(widgetsDir, '..', '..', 'tmp');
    fs.mkdirSync(base, { recursive: true });
    const root = fs.mkdtempSync(path.join(base, 'widgets-e2e-'));
    const dir = path.join(root, 'bitrix24');
    const out = path.join(root, 'dist');
    try {
      fs.cpSync(widgetsDir, dir, { recursive: true });
      // The pages' call cards come from the call view they share with the console and amoCRM.
      fs.cpSync(path.resolve(widgetsDir, '..', 'shared'), path.join(root, 'shared'), { recursive: true });
      const first = await buildWidgets({ sourceDir: dir, outDir: out, inputsHash: 'one' });
      const files = new WidgetFiles(out, { checkEveryMs: 0 });
      expect(files.assets()?.scripts.tab).toBe(`/bitrix24/static/${first.scripts.tab}`);
      const tab = path.join(dir, 'tab.ts');
      fs.writeFileSync(tab, `${fs.readFileSync(tab, 'utf8')}\nconsole.debug('changed');\n`);
      const second = await buildWidgets({ sourceDir: dir, outDir: out, inputsHash: 'two' });
      expect(second.scripts.tab).not.toBe(first.scripts.tab);
      expect(second.scripts.menu).toBe(first.scripts.menu);
      expect(readWidgetManifest(out)?.inputsHash).toBe('two');
      expect((await files.file(second.scripts.tab))?.body.toString()).toContain('changed');
      expect(await files.file(first.scripts.tab)).toBeDefined();
      // A third build: the first one's own files are gone from disk and no longer served.
      fs.writeFileSync(tab, `${fs.readFileSync(tab, 'utf8')}\nconsole.debug('again');\n`);
      await buildWidgets({ sourceDir: dir, outDir: out, inputsHash: 'three' });
      expect(fs.existsSync(path.join(out, first.scripts.tab))).toBe(false);
      expect(await new WidgetFiles(out, { checkEveryMs: 0 }).file(first.scripts.tab)).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
      if (fs.readdirSync(base).length === 0) fs.rmdirSync(base);
    }
  });
});
