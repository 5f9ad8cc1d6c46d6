import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/**
 * The frame pages in a real browser inside the emulated portal page (B24Frame's postMessage
 * protocol): the install page finishes the installation itself, the deal tab shows the deal's calls
 * and starts a new one through /bitrix24/api with the user's frame token.
 */
let h: B24Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function appFrame(page: Page, path: string): Promise<Frame> {
  return waitFor(`the ${path} frame`, () => page.frames().find((f) => f.url().startsWith(`${h.t.url}${path}`)), 20_000);
}

describe('frame pages in a browser', () => {
  let portal: Portal;

  it('the install page calls installFinish() through B24Frame', async () => {
    portal = await h.newPortal();
    const page = await browser.newPage();
    try {
      await page.goto(portal.harnessUrl());
      const frame = await appFrame(page, '/bitrix24/install');
      await frame.waitForSelector('#finish.ok', { timeout: 20_000 });
      expect(await frame.textContent('#finish')).toContain('Installation finished');
      expect(portal.installed).toBe(true);
      expect(portal.frameMessages('setInstallFinish')).toHaveLength(1);
      expect(portal.robots()).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  it('the deal tab lists the calls and starts a new one', async () => {
    await portal.flush();
    const tenantId = await h.tenantOf(portal);
    await h.alwaysOpen(tenantId);
    const deal = portal.addDeal({ title: 'Tab', contactIds: [portal.addContact({ name: 'Anna', phones: ['+79000000004'] })] });
    const wf = await portal.runRobot({ code: portal.robots()[0]!.code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } });
    expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);

    const page = await browser.newPage();
    try {
      await page.goto(portal.harnessUrl({ placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(deal) } }));
      const frame = await appFrame(page, '/bitrix24/placement/deal_tab');
      await frame.waitForSelector('#history table', { timeout: 20_000 });
      const text = await frame.textContent('#history');
      expect(text).toContain('+79000000004');
      expect(text).toContain('Human answered');
      expect(await frame.$$eval('#history audio', (els) => els.length)).toBe(1);
      await frame.waitForSelector('#template option', { state: 'attached' });
      await frame.click('#call');
      await frame.waitForSelector('#status.ok', { timeout: 20_000 });
      expect(await frame.textContent('#status')).toBe('The call is queued.');
      await waitFor('the second call in the history', async () => {
        const r = await h.app.db.query(`SELECT 1 FROM attempts a JOIN campaign_contacts c ON c.id = a.contact_id WHERE c.external_id = $1 AND a.status = 'completed'`, [`DEAL_${deal}`]);
        return r.rows.length === 2;
      }, 30_000);
    } finally {
      await page.close();
    }
  });
});
