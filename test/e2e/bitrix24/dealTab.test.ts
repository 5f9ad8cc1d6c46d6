import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { dealWithPhone, installedPortal, openInPortal, startE2e, visibleText, UI_TIMEOUT, type E2e } from './support.js';

/**
 * The "Voice bot" tab of a deal card, in English: empty history, "Call now" with the starter
 * template, the call followed until its outcome, answers and recording show; the frame sized to
 * the content; API failures shown as messages a person can act on.
 */
let e: E2e;
let portal: Portal;
let dealA: number;
let dealB: number;

beforeAll(async () => {
  e = await startE2e();
  ({ portal } = await installedPortal(e.h, 'en'));
  dealA = dealWithPhone(portal, 'Anna wants a tariff', '+79000000004');
  dealB = dealWithPhone(portal, 'Boris is undecided', '+79000000007');
});
afterAll(async () => {
  await e?.stop();
});

describe('deal tab', () => {
  it('a user whose Bitrix24 role does not show the deal sees why, and no calls, recordings or "Call now"', async () => {
    const seller = portal.addUser({ name: 'Sam', crmAccess: { deal: 'own' } }).id;
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealA) }, userId: seller });
    try {
      expect(await visibleText(app.getByRole('alert'))).toBe('Your Bitrix24 access rights do not let you see this record, so its calls are not shown.');
      expect(await app.getByRole('button', { name: 'Call now' }).count()).toBe(0);
      expect(await app.locator('audio').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('shows an empty history with a template choice and "Call now", and asks the portal to fit the frame', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealB) } });
    try {
      expect(await visibleText(app.getByText('No voice bot calls for this deal yet.'))).toBeTruthy();
      await app.getByRole('button', { name: 'Call now' }).waitFor();
      const template = app.getByLabel('Template');
      expect(await template.locator('option:checked').innerText()).toBe('Qualify a lead');
      expect(await app.locator('html').getAttribute('lang')).toBe('en');
      await expect.poll(() => portal.frameMessages('resizeWindow').length, { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
      const resize = portal.frameMessages('resizeWindow').at(-1)!.params as { width: unknown; height: unknown };
      expect(resize.width).toBe('100%');
      expect(Number(resize.height)).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('"Call now" queues the call, follows it, then shows its outcome, result, gender, answers and a playable recording', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealA) } });
    try {
      await app.getByText('No voice bot calls for this deal yet.').waitFor();
      await app.getByLabel('Template').selectOption({ label: 'Qualify a lead' });
      await app.getByRole('button', { name: 'Call now' }).click();
      expect(await visibleText(app.getByRole('status').filter({ hasText: 'The call is queued.' }))).toBe('The call is queued.');

      // The history follows the call by itself until it is finished.
      const call = app.getByRole('article').filter({ hasText: 'Human answered' });
      await call.waitFor({ timeout: 30_000 });
      await app.getByRole('status').filter({ hasText: 'The call is finished.' }).waitFor({ timeout: 30_000 });
      const text = await call.innerText();
      expect(text).toContain('+79000000004');
      expect(text).toContain('Qualify a lead');
      expect(text).toMatch(/Result:?\s*interested/);
      expect(text).toMatch(/Gender:?\s*Female/);
      const answers = call.getByRole('table', { name: 'Answers' });
      expect(await answers.getByRole('rowheader').first().innerText()).toBe('Would you like to hear more about it?');
      expect((await answers.getByRole('cell').first().innerText()).length).toBeGreaterThan(0);

      // The recording: a player on the signed link; the server answers a byte range with the MP3 copy.
      const audio = call.locator('audio');
      await audio.waitFor({ state: 'attached', timeout: 30_000 });
      expect(await audio.getAttribute('controls')).not.toBeNull();
      expect(await audio.getAttribute('preload')).toBe('none');
      expect(await audio.getAttribute('aria-label')).toContain('+79000000004');
      const ranged = await audio.evaluate(async (el: HTMLAudioElement) => {
        const r = await fetch(el.src, { headers: { Range: 'bytes=0-1023' } });
        return { status: r.status, type: r.headers.get('content-type'), range: r.headers.get('content-range'), bytes: (await r.arrayBuffer()).byteLength };
      });
      expect(ranged).toMatchObject({ status: 206, type: 'audio/mpeg', bytes: 1024 });
      expect(ranged.range).toMatch(/^bytes 0-1023\/\d+$/);
      const playable = await audio.evaluate(
        (el: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
            el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true });
            el.preload = 'metadata';
            el.load();
          }),
      );
      expect(playable).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('the lead tab has its own empty state', async () => {
    const lead = portal.addLead({ title: 'Cold lead', name: 'Lena', phones: ['+79000000002'] });
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_LEAD_DETAIL_TAB', placementOptions: { ID: String(lead) } });
    try {
      await app.getByText('No voice bot calls for this lead yet.').waitFor();
      await app.getByRole('button', { name: 'Call now' }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('a forged frame token shows what went wrong instead of a blank page', async () => {
    const { page, app } = await (async () => {
      const opened = await e.browser.newPage();
      await opened.route('**/bitrix24/api/**', (route) => route.continue({ headers: { ...route.request().headers(), 'x-b24-auth': 'forged-token' } }));
      await opened.goto(portal.harnessUrl({ placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealA) } }));
      return { page: opened, app: opened.frameLocator('#app-frame') };
    })();
    try {
      const alert = app.getByRole('alert');
      const text = await visibleText(alert);
      expect(text).toContain('Something went wrong');
      expect(text).toContain('Open this page from the Bitrix24 portal: the portal user could not be verified.');
      await alert.getByRole('button', { name: 'Try again' }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('an unreachable server is said so, and "Try again" recovers once it answers', async () => {
    const page = await e.browser.newPage();
    let down = true;
    await page.route('**/bitrix24/api/templates', (route) => (down ? route.abort('connectionrefused') : route.continue()));
    try {
      await page.goto(portal.harnessUrl({ placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(dealA) } }));
      const app = page.frameLocator('#app-frame');
      expect(await visibleText(app.getByRole('alert'))).toContain('Dozvon could not be reached.');
      down = false;
      await app.getByRole('button', { name: 'Try again' }).click();
      await app.getByRole('article').filter({ hasText: 'Human answered' }).waitFor();
    } finally {
      await page.close();
    }
  });
});
