import type { Browser, Page } from 'playwright-core';
import { buildWidgetZip } from '../../../widgets/amocrm/build/buildWidget.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { startAmoHarness, type AmoHarness } from '../../integration/amocrm/support.js';
import { launchChromium, UI_TIMEOUT } from '../bitrix24/support.js';

/**
 * Browser tests of the amoCRM widget: one Dozvon + amoCRM emulator (the integration harness) and
 * one headless Chromium per file. The widget is the real `widget.zip` (built for this Dozvon's
 * address) uploaded to the emulated account, whose pages host it the way amoCRM does: AMD loading,
 * `$authorizedAjax` with real one-time tokens, `APP`, the areas' callbacks.
 */
export { UI_TIMEOUT };

export interface AmoE2e {
  h: AmoHarness;
  browser: Browser;
  zip: Uint8Array;
  stop(): Promise<void>;
}

export async function startAmoE2e(): Promise<AmoE2e> {
  const [harness, chrome] = await Promise.allSettled([startAmoHarness(), launchChromium()]);
  if (harness.status === 'rejected' || chrome.status === 'rejected') {
    if (harness.status === 'fulfilled') await harness.value.stop();
    if (chrome.status === 'fulfilled') await chrome.value.close();
    throw harness.status === 'rejected' ? harness.reason : (chrome as PromiseRejectedResult).reason;
  }
  const h = harness.value;
  const zip = buildWidgetZip({ url: h.t.url, supportLink: h.t.url, supportEmail: 'support@dozvon.test', version: '1.0.0' });
  return {
    h,
    browser: chrome.value,
    zip,
    async stop() {
      await chrome.value.close();
      await h.stop();
    },
  };
}

/** An account with the integration installed and the widget uploaded. */
export async function installedAccount(e: AmoE2e, o: { lang?: string; platform?: 'amocrm' | 'kommo' } = {}): Promise<{ account: Account; tenantId: string }> {
  const account = await e.h.newAccount({ ...(o.lang ? { lang: o.lang } : {}), ...(o.platform ? { platform: o.platform } : {}) });
  account.uploadWidget(e.h.integration.clientId, e.zip);
  const tenantId = await e.h.install(account);
  return { account, tenantId };
}

/** Opens one of the account's pages hosting the widget; waits until the widget has started. */
export async function openArea(e: AmoE2e, account: Account, o: Parameters<Account['harnessUrl']>[1]): Promise<Page> {
  const page = await e.browser.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(account.harnessUrl(e.h.integration.clientId, o));
  await page.locator('body[data-widget-ready="1"]').waitFor({ timeout: UI_TIMEOUT });
  if (errors.length) throw new Error(`the widget threw: ${errors.join('; ')}`);
  return page;
}
