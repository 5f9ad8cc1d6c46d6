import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedAccount, openArea, startAmoE2e, UI_TIMEOUT, type AmoE2e } from './support.js';

/**
 * The lead card's Dozvon panel in an emulated amoCRM page: templates, "Call now", the call followed
 * to its outcome, then the history with result, gender, answers and a player that plays the MP3
 * (seeking works: byte ranges). An account not connected says so instead.
 */
let e: AmoE2e;
beforeAll(async () => {
  e = await startAmoE2e();
});
afterAll(async () => e?.stop());

describe('the lead card panel', () => {
  it('"Call now" calls the lead and shows the outcome, gender, result, answers and a playable recording', async () => {
    const { account } = await installedAccount(e, { lang: 'en' });
    const lead = account.addLeadWithPhones('Anna Smith', ['+79000000004']);
    const page = await openArea(e, account, { area: 'lcard', lead, lang: 'en' });
    try {
      const panel = page.locator(`#dozvon-card-${lead}`);
      await expect.poll(() => panel.getByRole('combobox', { name: 'Template' }).locator('option').count(), { timeout: UI_TIMEOUT }).toBe(1);
      await expect.poll(() => panel.getByText('No calls yet.').isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
      await panel.getByRole('spinbutton', { name: 'Calls per number' }).fill('1');
      await panel.getByRole('button', { name: 'Call now' }).click();
      await expect.poll(() => panel.getByRole('status').innerText(), { timeout: UI_TIMEOUT }).toMatch(/Queued|Calling|Status/);
      const call = panel.locator('article.dozvon-call').first();
      await call.locator('audio').waitFor({ state: 'attached', timeout: 60_000 });
      const text = await call.innerText();
      expect(text).toContain('Human answered');
      expect(text).toContain('+79000000004');
      // The card reads as the Bitrix24 tab and the console do (widgets/shared/callView.ts).
      expect(text).toMatch(/Result:?\s*interested/);
      expect(text).toMatch(/Gender:?\s*Female/);
      expect(await call.getByRole('table', { name: 'Answers' }).getByRole('rowheader').count()).toBeGreaterThan(0);
      const audio = call.locator('audio');
      expect(await audio.getAttribute('aria-label')).toMatch(/^Recording of the call to \+79000000004, /);
      // The player fetches ranges itself (no CORS needed for <audio>); the same request from here:
      const r = await fetch((await audio.getAttribute('src'))!, { headers: { range: 'bytes=0-1023' } });
      expect({ status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength }).toEqual({ status: 206, type: 'audio/mpeg', bytes: 1024 });
      const duration = await audio.evaluate(
        (el: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
            el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true });
            el.preload = 'metadata';
            el.load();
          }),
      );
      expect(duration).toBeGreaterThan(1);
      // And the lead's feed got the note with the same MP3 (its link lasts; the panel's expires).
      await expect.poll(() => account.notes(lead, 'call_out').length, { timeout: UI_TIMEOUT }).toBe(1);
      const [note] = account.notes(lead, 'call_out');
      const media = (u: unknown) => new URL(String(u)).pathname;
      expect(media(note?.params.link)).toBe(media(await audio.getAttribute('src')));
    } finally {
      await page.close();
    }
  });

  it('in a Russian account the panel speaks Russian', async () => {
    const { account } = await installedAccount(e, { lang: 'ru' });
    const lead = account.addLeadWithPhones('Анна', ['+79000000001']);
    const page = await openArea(e, account, { area: 'lcard', lead, lang: 'ru' });
    try {
      const panel = page.locator(`#dozvon-card-${lead}`);
      await panel.getByRole('button', { name: 'Позвонить сейчас' }).waitFor();
      // The history arrives after the panel's form: wait for it rather than read it at once.
      await panel.getByText('Звонков пока нет.').waitFor({ timeout: 30_000 });
      expect(await panel.innerText()).toContain('Звонков пока нет.');
    } finally {
      await page.close();
    }
  });

  it('an account where Dozvon is not installed says so, in words', async () => {
    const account = await e.h.newAccount({ lang: 'en' });
    account.uploadWidget(e.h.integration.clientId, e.zip);
    const lead = account.addLeadWithPhones('Nobody', ['+79000000004']);
    const page = await openArea(e, account, { area: 'lcard', lead, lang: 'en' });
    try {
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toContain('Dozvon is not connected to this account');
    } finally {
      await page.close();
    }
  });
});
