import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { initI18n, t } from '../../../src/i18n.js';
import { runFlow } from './flow.js';
import { ensureConsoleBuilt, exactly, launchChromium, newConsolePage, snap, startConsoleServer, type ConsoleServer } from './support.js';

/**
 * The newcomer's whole path in English (the clients file is a CSV in Windows-1251); then the
 * administrator adds a manager, and the manager sees no administrator's screens.
 */
let server: ConsoleServer;
let browser: Browser;
const T = (key: string, params: Record<string, unknown> = {}) => t('en', key, params);

beforeAll(async () => {
  initI18n();
  await ensureConsoleBuilt();
  [server, browser] = await Promise.all([startConsoleServer({ DEFAULT_LOCALE: 'en' }), launchChromium()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the console in English', () => {
  it('first admin → template → scenario in the graph → simulate → test call → campaign from a cp1251 CSV with a mapping → completion → statistics → export', { timeout: 300_000 }, async () => {
    const { page, log } = await runFlow(browser, server, 'en');
    expect(log.errors).toEqual([]);

    // The administrator adds a manager…
    await page.goto(`${server.url}/settings/users`);
    await page.getByRole('button', { name: T('console.users.add') }).click();
    await page.getByLabel(exactly(T('console.users.name'))).fill('Mia Manager');
    await page.getByLabel(exactly(T('console.auth.email'))).fill('mia@example.com');
    await page.getByLabel(exactly(T('console.auth.password'))).fill('manager-password-1');
    await page.getByRole('button', { name: T('console.users.create') }).click();
    await page.getByText('mia@example.com').waitFor();
    await snap(page, 'flow-en', '14-users');
    // …and signs out.
    await page.getByRole('button', { name: T('console.nav.user_menu', { name: 'Ada Admin' }) }).click();
    await page.getByRole('menuitem', { name: T('console.auth.sign_out') }).click();
    await page.waitForURL(/\/login/);
  });

  it('a manager sees no administrator screens (at 1024 px wide, nothing scrolls sideways)', { timeout: 120_000 }, async () => {
    const { page, log } = await newConsolePage(browser, { locale: 'en-GB', width: 1024 });
    const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await page.goto(`${server.url}/login`);
    await page.getByLabel(exactly(T('console.auth.email'))).fill('mia@example.com');
    await page.getByLabel(exactly(T('console.auth.password'))).fill('wrong-password-1');
    await page.getByRole('button', { name: T('console.auth.sign_in_button') }).click();
    await page.getByText(T('errors.login_failed')).waitFor();
    await page.getByLabel(exactly(T('console.auth.password'))).fill('manager-password-1');
    await page.getByRole('button', { name: T('console.auth.sign_in_button') }).click();
    await page.waitForURL(`${server.url}/`);
    const nav = page.getByRole('navigation', { name: T('console.nav.label') });
    await nav.getByRole('link', { name: T('console.nav.campaigns') }).waitFor();
    await page.getByTestId('calls-today').waitFor();
    expect(await fitsWidth(), 'dashboard at 1024 px').toBe(true);
    expect(await nav.getByRole('link', { name: T('console.nav.integrations') }).count()).toBe(0);
    // An administrator's address leads back to the dashboard.
    await page.goto(`${server.url}/integrations`);
    await page.waitForURL(`${server.url}/`);
    // Templates can be read and test-called, not changed.
    await page.goto(`${server.url}/templates`);
    expect(await page.getByRole('link', { name: T('console.templates.new') }).count()).toBe(0);
    await page.getByRole('link', { name: T('starter.template_name') }).click();
    await page.getByText(T('console.common.read_only')).waitFor();
    expect(await fitsWidth(), 'template at 1024 px').toBe(true);
    expect(await page.getByRole('button', { name: T('console.templates.save') }).count()).toBe(0);
    expect(await page.getByRole('button', { name: T('console.common.delete') }).count()).toBe(0);
    // The campaign and the scenario graph fit too.
    await page.goto(`${server.url}/campaigns`);
    await page.getByRole('link', { name: 'March leads' }).click();
    await page.getByRole('tab', { name: T('console.campaigns.tabs.stats') }).click();
    await page.getByTestId('reach').waitFor();
    expect(await fitsWidth(), 'campaign statistics at 1024 px').toBe(true);
    await page.goto(`${server.url}/scenarios`);
    await page.getByRole('link', { name: T('starter.scenario_name') }).click();
    await page.locator('.vue-flow__node[data-id="greet"]').waitFor();
    expect(await fitsWidth(), 'scenario graph at 1024 px').toBe(true);
    await snap(page, 'flow-en', '16-manager-scenario-1024');
    // Settings without users; limits read-only.
    await page.goto(`${server.url}/settings`);
    await page.getByRole('tab', { name: T('console.settings.tabs.limits') }).waitFor();
    expect(await page.getByRole('tab', { name: T('console.settings.tabs.users') }).count()).toBe(0);
    expect(await fitsWidth(), 'settings at 1024 px').toBe(true);
    await snap(page, 'flow-en', '15-manager-settings');
    expect(log.errors).toEqual([]);
  });
});
