import fs from 'node:fs';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { JsonValue, Portal } from '../../fakes/bitrix24/index.js';
import { startHarness, type B24Harness } from '../../integration/bitrix24/support.js';

/**
 * Browser tests of the pages Bitrix24 shows inside the CRM: one Dozvon + emulator (the integration
 * harness) and one headless Chromium per file. The emulator's /harness page plays the portal: it
 * posts the page into an iframe and answers B24Frame's postMessage protocol. Tests look at what a
 * person sees — text, roles, labels — through Playwright's auto-waiting locators.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const UI_TIMEOUT = 20_000;

function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}, and it is not there. Install it (Debian/Ubuntu: apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary. CI installs it; these tests never skip.`,
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface E2e {
  h: B24Harness;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startE2e(): Promise<E2e> {
  requireChromium();
  const [harness, chrome] = await Promise.allSettled([startHarness(), launchChromium()]);
  if (harness.status === 'rejected' || chrome.status === 'rejected') {
    if (harness.status === 'fulfilled') await harness.value.stop();
    if (chrome.status === 'fulfilled') await chrome.value.close();
    throw harness.status === 'rejected' ? harness.reason : (chrome as PromiseRejectedResult).reason;
  }
  const h = harness.value;
  const browser = chrome.value;
  return {
    h,
    browser,
    async stop() {
      await browser.close();
      await h.stop();
    },
  };
}

/** A portal with Dozvon installed (in `lang`), templates calling around the clock. */
export async function installedPortal(h: B24Harness, lang = 'en'): Promise<{ portal: Portal; tenantId: string }> {
  const portal = await h.newPortal({ lang });
  const tenantId = await h.install(portal, { lang });
  return { portal, tenantId };
}

/** A deal whose (only) contact has `phone`. */
export function dealWithPhone(portal: Portal, title: string, phone: string, stage?: string): number {
  const contact = portal.addContact({ name: title.split(' ')[0] ?? title, phones: [phone] });
  return portal.addDeal({ title, contactIds: [contact], ...(stage ? { stage } : {}) });
}

export interface OpenedPage {
  page: Page;
  /** The Dozvon page inside the portal's frame. */
  app: FrameLocator;
}

/** Opens the emulated portal page showing `placement` (DEFAULT = the app page) for `userId`. */
export async function openInPortal(browser: Browser, portal: Portal, o: { placement?: string; placementOptions?: JsonValue; userId?: number } = {}): Promise<OpenedPage> {
  const page = await browser.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  await page.goto(portal.harnessUrl({ placement: o.placement ?? 'DEFAULT', ...(o.placementOptions !== undefined ? { placementOptions: o.placementOptions } : {}), ...(o.userId ? { userId: o.userId } : {}) }));
  return { page, app: page.frameLocator('#app-frame') };
}

/** Waits until `locator` shows, then returns its text. */
export async function visibleText(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return (await locator.innerText()).trim();
}
