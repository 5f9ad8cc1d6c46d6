import fs from 'node:fs';
import path from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { buildUi } from '../../../scripts/buildUi.js';
import { startDozvon, type RunningDozvon } from '../../../src/main.js';
import { createLogger } from '../../../src/log.js';
import { freshDatabaseEnv, pgliteTemplate } from '../../support/db.js';
import { launchChromium, UI_TIMEOUT } from '../bitrix24/support.js';

/**
 * Browser tests of the web console: the console is built once per run (only when its sources
 * changed since the last build — `npm ci` builds it already), each file starts one Dozvon with
 * fast sandbox time and one headless Chromium, and every page records what the browser logged so
 * a test can assert the console produced no errors. Screenshots of each screen go to
 * test-artifacts/console/ (git-ignored) for people to look at; nothing compares pixels.
 */
export const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'console');

export async function ensureConsoleBuilt(): Promise<void> {
  await buildUi({ ifStale: true });
}

export interface ConsoleServer {
  dozvon: RunningDozvon;
  url: string;
  dataDir: string;
  setupCode(): string;
  stop(): Promise<void>;
}

/** A Dozvon with no administrator yet (the first-run page is the way in). */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const dbEnv = await freshDatabaseEnv();
  const full: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SANDBOX_TIME_SCALE: '0.01',
    SANDBOX_TTS: 'generated',
    DEFAULT_LOCALE: 'en',
    ...dbEnv,
    ...env,
  };
  const dozvon = await startDozvon(full, { pgliteTemplate: pgliteTemplate(), log: createLogger(full.LOG_LEVEL ?? 'silent') });
  return {
    dozvon,
    url: dozvon.url,
    dataDir: full.DATA_DIR!,
    setupCode: () => fs.readFileSync(path.join(full.DATA_DIR!, 'setup-code.txt'), 'utf8').trim(),
    async stop() {
      await dozvon.stop();
      fs.rmSync(full.DATA_DIR!, { recursive: true, force: true });
    },
  };
}

/** What the browser reported: errors of the page's code and its console, except refused requests the test caused on purpose. */
export interface BrowserLog {
  errors: string[];
  /** Requests the server answered 4xx/5xx (each is also shown to the person; tests assert on the words). */
  failedRequests: string[];
}

export function watch(page: Page): BrowserLog {
  const log: BrowserLog = { errors: [], failedRequests: [] };
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; those are listed separately.
    if (m.text().startsWith('Failed to load resource')) return;
    log.errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) log.failedRequests.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return log;
}

export async function newConsolePage(browser: Browser, o: { locale: string; width?: number }): Promise<{ page: Page; log: BrowserLog }> {
  const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: 860 }, locale: o.locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  return { page, log: watch(page) };
}

/** Saves a screenshot of the page as it is now, for people to look at. */
export async function snap(page: Page, dir: string, name: string): Promise<void> {
  const target = path.join(ARTIFACTS, dir);
  fs.mkdirSync(target, { recursive: true });
  // Let fonts, charts and transitions settle (nothing is asserted on pixels).
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(target, `${name}.png`) });
}

/** Drags from one element to another with the mouse, as a person connects two nodes of the graph. */
export async function drag(page: Page, from: string, to: string): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`drag: ${from} or ${to} is not on screen`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

export { launchChromium, UI_TIMEOUT };

/** A label as a whole, with the asterisk of a required field allowed ("Name" is not "A named rule set"). */
export function exactly(label: string): RegExp {
  return new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?$`);
}
