import { build } from 'esbuild';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from './index.js';
import { RecordingApp, rest } from './testSupport.js';

/** A minimal frame app: b24jssdk bundled for the browser, reporting into `window.__result`. */
const APP_SOURCE = `
import { initializeB24Frame } from '@bitrix24/b24jssdk';
const out = { stage: 'start' };
window.__result = out;
(async () => {
  try {
    const $b24 = await initializeB24Frame();
    out.placement = $b24.placement.placement;
    out.options = $b24.placement.options;
    out.install = $b24.isInstallMode;
    out.firstRun = $b24.isFirstRun;
    out.isAdmin = $b24.auth.isAdmin;
    const info = await $b24.actions.v2.call.make({ method: 'app.info' });
    out.installedBefore = info.getData().result.INSTALLED;
    if (out.placement === 'CRM_DEAL_DETAIL_TAB') {
      const deal = await $b24.actions.v2.call.make({ method: 'crm.deal.get', params: { id: out.options.ID } });
      out.dealTitle = deal.getData().result.TITLE;
    }
    await $b24.parent.setTitle('Dozvon');
    await $b24.parent.resizeWindow(800, 420);
    if ($b24.isInstallMode) await $b24.installFinish();
    window.__callAgain = async () => {
      const r = await $b24.actions.v2.call.make({ method: 'profile' });
      return r.getData().result.ID;
    };
    out.stage = 'done';
  } catch (e) {
    out.stage = 'error';
    out.error = String(e && e.message || e);
  }
})();
`;

interface FrameResult {
  stage: string;
  error?: string;
  placement?: string;
  options?: Record<string, unknown>;
  install?: boolean;
  firstRun?: boolean;
  isAdmin?: boolean;
  installedBefore?: boolean;
  dealTitle?: string;
}

describe('frame harness with B24Frame in headless Chromium', () => {
  let emu: Bitrix24Emulator;
  let app: RecordingApp;
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: APP_SOURCE, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
    });
    const script = (bundle.outputFiles[0]?.text ?? '').replace(/<\/script/gi, '<\\/script');
    html = `<!doctype html><html><head><meta charset="utf-8"></head><body><p>Dozvon</p><script>${script}</script></body></html>`;
    app = await new RecordingApp().start();
    for (const path of ['/bitrix24/install', '/bitrix24/app', '/bitrix24/placement/deal_tab']) app.on(path, () => ({ body: html }));
    emu = await startBitrix24Emulator({ app: { handlerUrl: `${app.url}/bitrix24/app`, installUrl: `${app.url}/bitrix24/install` } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await emu?.stop();
    await app?.stop();
  });

  async function openFrame(page: Page, url: string, path: string): Promise<{ frame: Frame; result: FrameResult }> {
    await page.goto(url);
    return waitForApp(page, path);
  }

  /** Waits until the app page at `path` runs in a frame of `page` and reports a result. */
  async function waitForApp(page: Page, path: string): Promise<{ frame: Frame; result: FrameResult }> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const frame = page.frames().find((f) => f.url().startsWith(`${app.url}${path}`));
      if (frame) {
        try {
          const handle = await frame.waitForFunction(
            () => {
              const r = (window as unknown as { __result?: FrameResult }).__result;
              return r && r.stage !== 'start' ? r : null;
            },
            undefined,
            { timeout: 20_000 },
          );
          return { frame, result: (await handle.jsonValue()) as FrameResult };
        } catch (e) {
          // The portal may replace the frame right after installFinish: look for it again.
          if (!/detached|context was destroyed/i.test((e as Error).message)) throw e;
        }
      }
      if (Date.now() > deadline) throw new Error(`frame ${path} never loaded`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('posts the install page into a named iframe, answers getInitData and marks the app installed on installFinish', async () => {
    const portal = await emu.createPortal({ rateLimit: null });
    const page = await browser.newPage();
    try {
      const { result } = await openFrame(page, portal.harnessUrl(), '/bitrix24/install');
      expect(result).toMatchObject({ stage: 'done', placement: 'DEFAULT', install: true, firstRun: true, isAdmin: true, installedBefore: false });
      expect(portal.installed).toBe(true);
      const post = app.requests('/bitrix24/install').at(-1);
      expect(post?.query).toMatchObject({ DOMAIN: portal.domain, PROTOCOL: '0', LANG: 'en' });
      expect(post?.form).toMatchObject({ PLACEMENT: 'DEFAULT', member_id: portal.memberId });
      // The form the browser submits and the init data the frame reads never hold the application token.
      expect(JSON.stringify(post?.form)).not.toContain(portal.applicationToken);
      expect(JSON.stringify(portal.frameMessages('getInitData').map((m) => m.reply))).not.toContain(portal.applicationToken);
      expect(portal.frameMessages().map((m) => m.command)).toEqual(['getInitData', 'setInstall', 'setTitle', 'resizeWindow', 'setInstallFinish']);
      expect(portal.frameMessages('resizeWindow')[0]?.params).toEqual({ width: 800, height: 420 });
      expect(portal.frameMessages('setTitle')[0]?.params).toEqual({ title: 'Dozvon' });
      expect(await page.textContent('#pagetitle')).toBe('Dozvon');
      // The browser called REST directly, cross-origin, with the frame's token.
      expect(portal.calls('app.info').at(-1)).toMatchObject({ status: 200, userId: 1 });
    } finally {
      await page.close();
    }
  });

  it('opens a placement with PLACEMENT_OPTIONS, and refreshes an expired token through the parent (refreshAuth)', async () => {
    const portal = await emu.createPortal({ rateLimit: null });
    const dealId = portal.addDeal({ title: 'Tabbed deal' });
    await portal.installApp();
    await portal.installFinish();
    const admin = portal.issueTokens().accessToken;
    await rest(portal.clientEndpoint, 'placement.bind', { PLACEMENT: 'CRM_DEAL_DETAIL_TAB', HANDLER: `${app.url}/bitrix24/placement/deal_tab`, TITLE: 'Calls' }, admin);
    const page = await browser.newPage();
    try {
      const { frame, result } = await openFrame(page, portal.harnessUrl({ placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealId) } }), '/bitrix24/placement/deal_tab');
      expect(result).toMatchObject({ stage: 'done', placement: 'CRM_DEAL_DETAIL_TAB', options: { ID: String(dealId) }, install: false, dealTitle: 'Tabbed deal' });
      expect(app.requests('/bitrix24/placement/deal_tab').at(-1)?.form['PLACEMENT_OPTIONS']).toBe(JSON.stringify({ ID: String(dealId) }));

      portal.expireAllTokens();
      const id = await frame.evaluate(() => (window as unknown as { __callAgain: () => Promise<string> }).__callAgain());
      expect(id).toBe('1');
      expect(portal.frameMessages('refreshAuth')).toHaveLength(1);
      expect(portal.calls('profile').map((c) => [c.status, c.error])).toEqual([[401, 'expired_token'], [200, null]]);
    } finally {
      await page.close();
    }
  });

  it('reloads the frame with the handler path after installFinish when asked to', async () => {
    const portal = await emu.createPortal({ rateLimit: null });
    const page = await browser.newPage();
    try {
      const harness = portal.harnessUrl({ reloadAfterInstall: true });
      // The install frame finishes and is replaced at once, so only the app frame is awaited.
      await page.goto(harness);
      // No navigation of the portal page: the harness itself re-posts the handler path.
      const { result } = await waitForApp(page, '/bitrix24/app');
      expect(page.url()).toBe(harness);
      expect(result).toMatchObject({ stage: 'done', install: false, firstRun: false, installedBefore: true });
      expect(portal.frameMessages('getInitData').map((m) => m.appSid)).toHaveLength(2);
    } finally {
      await page.close();
    }
  });
});
