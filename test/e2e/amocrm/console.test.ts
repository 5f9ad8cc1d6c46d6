import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initI18n, t } from '../../../src/i18n.js';
import { ensureConsoleBuilt, snap } from '../console/support.js';
import { installedAccount, openArea, startAmoE2e, UI_TIMEOUT, type AmoE2e } from './support.js';

/**
 * The web console in the widget's advanced settings page, inside the emulated amoCRM account: the
 * widget asks Dozvon for a one-time code (amoCRM's JWT) and frames the console with it; the console
 * starts signed in as the amoCRM user in the account's tenant — an account administrator with the
 * administrator's screens, anyone else without them.
 */
let e: AmoE2e;
const T = (key: string, params: Record<string, unknown> = {}) => t('en', key, params);

beforeAll(async () => {
  initI18n();
  await ensureConsoleBuilt();
  e = await startAmoE2e();
}, 300_000);
afterAll(async () => e?.stop());

describe('the console in the advanced settings page', () => {
  it('an account administrator gets the administrator’s console, framed in the page', { timeout: 120_000 }, async () => {
    const { account } = await installedAccount(e, { lang: 'en' });
    const page = await openArea(e, account, { area: 'advanced_settings', lang: 'en' });
    try {
      const frame = page.frameLocator('iframe.dozvon-console-frame');
      const nav = frame.getByRole('navigation', { name: T('console.nav.label') });
      await nav.getByRole('link', { name: T('console.nav.integrations') }).waitFor({ timeout: UI_TIMEOUT });
      await frame.getByRole('button', { name: T('console.nav.user_menu', { name: 'Admin' }) }).waitFor();
      await frame.getByTestId('calls-today').waitFor();
      // Bitrix24's own section is not shown in amoCRM.
      expect(await nav.getByRole('link', { name: T('console.nav.bitrix24') }).count()).toBe(0);
      // The frame's address carried a code, now spent: it opens nothing a second time.
      const src = await page.locator('iframe.dozvon-console-frame').getAttribute('src');
      expect(src).toMatch(/\/amocrm\/console\?code=[\w-]+&lang=en$/);
      expect((await fetch(src!)).status).toBe(401);
      await snap(page, 'amocrm', '01-advanced-settings-admin');
    } finally {
      await page.close();
    }
  });

  it('a reload of the console frame opens the console again with a fresh code, in the same session', { timeout: 120_000 }, async () => {
    const { account, tenantId } = await installedAccount(e, { lang: 'en' });
    const page = await openArea(e, account, { area: 'advanced_settings', lang: 'en' });
    try {
      const iframe = page.locator('iframe.dozvon-console-frame');
      const frame = page.frameLocator('iframe.dozvon-console-frame');
      await frame.getByTestId('calls-today').waitFor({ timeout: UI_TIMEOUT });
      const first = await iframe.getAttribute('src');
      const framed = page.frames().find((f) => f.url().includes('/amocrm/console?code='));
      expect(framed).toBeDefined();
      // The reload meets the spent code; the refusal asks the widget, which frames a fresh one.
      await framed!.evaluate(() => window.location.reload());
      await expect.poll(() => iframe.getAttribute('src'), { timeout: UI_TIMEOUT }).not.toBe(first);
      await frame.getByTestId('calls-today').waitFor({ timeout: UI_TIMEOUT });
      // One console session for this browser, not one per opening.
      const sessions = await e.h.app.db.query<{ n: string }>('SELECT count(*)::text AS n FROM sessions WHERE tenant_id = $1 AND revoked_at IS NULL', [tenantId]);
      expect(sessions.rows[0]?.n).toBe('1');
    } finally {
      await page.close();
    }
  });

  it('a user who is no administrator gets the console without the administrator’s screens', { timeout: 120_000 }, async () => {
    const { account } = await installedAccount(e, { lang: 'en' });
    const manager = account.addUser({ name: 'Mia Manager' });
    const page = await openArea(e, account, { area: 'advanced_settings', lang: 'en', user: manager });
    try {
      const frame = page.frameLocator('iframe.dozvon-console-frame');
      const nav = frame.getByRole('navigation', { name: T('console.nav.label') });
      await nav.getByRole('link', { name: T('console.nav.campaigns') }).waitFor({ timeout: UI_TIMEOUT });
      await frame.getByRole('button', { name: T('console.nav.user_menu', { name: 'Mia Manager' }) }).waitFor();
      expect(await nav.getByRole('link', { name: T('console.nav.integrations') }).count()).toBe(0);
      await snap(page, 'amocrm', '02-advanced-settings-manager');
    } finally {
      await page.close();
    }
  });

  it('an account that is not connected shows why, and the settings to connect it', { timeout: 120_000 }, async () => {
    const account = await e.h.newAccount({ lang: 'en' });
    account.uploadWidget(e.h.integration.clientId, e.zip);
    const page = await openArea(e, account, { area: 'advanced_settings', lang: 'en' });
    try {
      await page.getByRole('alert').filter({ hasText: T('amocrm.widget.console_failed') }).waitFor({ timeout: UI_TIMEOUT });
      expect(await page.locator('iframe').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
