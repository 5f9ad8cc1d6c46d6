import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { dealWithPhone, installedPortal, openInPortal, startE2e, visibleText, type E2e } from './support.js';

/**
 * A portal in Russian (LANG=ru): every page speaks Russian — texts from locales/ru, outcome names,
 * dates, and the API's own error messages.
 */
let e: E2e;
let portal: Portal;
let deal: number;

beforeAll(async () => {
  e = await startE2e();
  ({ portal } = await installedPortal(e.h, 'ru'));
  deal = dealWithPhone(portal, 'Анна хочет тариф', '+79000000004');
});
afterAll(async () => {
  await e?.stop();
});

describe('a Russian portal', () => {
  it('the deal tab is in Russian, before and after "Позвонить сейчас"', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(deal) } });
    try {
      await app.getByText('По этой сделке голосовой бот ещё не звонил.').waitFor();
      expect(await app.locator('html').getAttribute('lang')).toBe('ru');
      expect(await visibleText(app.getByRole('heading', { name: 'Звонки' }))).toBe('Звонки');
      await app.getByLabel('Шаблон').selectOption({ index: 0 });
      await app.getByRole('button', { name: 'Позвонить сейчас' }).click();
      await app.getByRole('status').filter({ hasText: 'Звонок поставлен в очередь.' }).waitFor();

      const call = app.getByRole('article').filter({ hasText: 'Ответил человек' });
      await call.waitFor({ timeout: 30_000 });
      await app.getByRole('status').filter({ hasText: 'Звонок завершён.' }).waitFor({ timeout: 30_000 });
      const text = await call.innerText();
      expect(text).toMatch(/Результат:?\s*interested/);
      expect(text).toMatch(/Пол:?\s*Женский/);
      expect(text).toContain('Звонок 1');
      expect(text).toMatch(/\d{4}/); // the date, in Russian form
      await call.getByRole('table', { name: 'Ответы' }).waitFor();
      await call.locator('audio[controls]').waitFor({ state: 'attached', timeout: 30_000 });
      expect(await call.locator('audio').getAttribute('aria-label')).toContain('Запись звонка на +79000000004');
    } finally {
      await page.close();
    }
  });

  it('the list menu and the app page (the console) are in Russian', async () => {
    const menu = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: { ID: String(deal) } });
    try {
      await menu.app.getByRole('heading', { name: 'Позвонить голосовым ботом' }).waitFor();
      await menu.app.getByText('Выбрано сделок: 1').waitFor();
      await menu.app.getByLabel('Звонков на номер').waitFor();
      await menu.app.getByRole('button', { name: 'Начать обзвон' }).waitFor();
      await menu.app.getByRole('button', { name: 'Закрыть' }).waitFor();
    } finally {
      await menu.page.close();
    }
    // The app's page is the web console, in the portal's language: its dashboard, then its Bitrix24 screen.
    const main = await openInPortal(e.browser, portal);
    try {
      expect(await main.app.locator('html').getAttribute('lang')).toBe('ru');
      const nav = main.app.getByRole('navigation', { name: 'Разделы' });
      await nav.getByRole('link', { name: 'Шаблоны' }).waitFor();
      await main.app.getByText('звонков сегодня').waitFor();
      await nav.getByRole('link', { name: 'Битрикс24' }).click();
      await main.app.getByText(`Подключено к ${portal.domain}.`).waitFor();
      const bulk = main.app.getByRole('region', { name: 'Обзвон по фильтру' });
      await bulk.getByRole('radio', { name: 'Сделкам' }).waitFor();
    } finally {
      await main.page.close();
    }
  });

  it('an API refusal is explained in Russian', async () => {
    const page = await e.browser.newPage();
    await page.route('**/bitrix24/api/**', (route) => route.continue({ headers: { ...route.request().headers(), 'x-b24-auth': 'forged-token' } }));
    try {
      await page.goto(portal.harnessUrl({ placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: { ID: String(deal) } }));
      const alert = page.frameLocator('#app-frame').getByRole('alert');
      const text = await visibleText(alert);
      expect(text).toContain('Что-то пошло не так');
      expect(text).toContain('Откройте эту страницу с портала Битрикс24');
      await alert.getByRole('button', { name: 'Повторить' }).waitFor();
    } finally {
      await page.close();
    }
  });
});
