import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runFlow } from './flow.js';
import { ensureConsoleBuilt, launchChromium, startConsoleServer, type ConsoleServer } from './support.js';

/** The newcomer's whole path through the console, in Russian (the clients file is an XLSX). */
let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [server, browser] = await Promise.all([startConsoleServer({ DEFAULT_LOCALE: 'ru' }), launchChromium()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the console in Russian', () => {
  it('first admin → template → scenario in the graph → simulate → test call → campaign from XLSX with a mapping → completion → statistics → export', { timeout: 300_000 }, async () => {
    const { page, log } = await runFlow(browser, server, 'ru');
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(log.errors).toEqual([]);
  });
});
