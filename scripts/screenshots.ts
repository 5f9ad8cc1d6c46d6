import fs from 'node:fs';
import path from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { chromium, type Page } from 'playwright-core';
import { apiClient, setupAdmin, startDozvonProcess, tempDir } from '../test/support/dozvonProcess.js';
import { buildUi, repoRoot } from './buildUi.js';

/**
 * `npm run screenshots`: the README's pictures of the console (docs/console/*.png), taken in
 * headless Chromium from a fresh Dozvon with a little history made through the API — a test call,
 * a finished campaign — so the screens show what they look like in use. Run it after changing a
 * screen; the images are committed.
 */
const OUT = path.join(repoRoot, 'docs', 'console');
const LANG = process.env.SCREENSHOTS_LANG === 'ru' ? 'ru' : 'en';

interface Attempt {
  id: string;
  status: string;
}

async function main(): Promise<void> {
  await buildUi({ ifStale: true });
  fs.mkdirSync(OUT, { recursive: true });
  const dataDir = tempDir('screenshots');
  const server = await startDozvonProcess({ dataDir, env: { SANDBOX_TIME_SCALE: '0.01', SANDBOX_TTS: 'generated', DEFAULT_LOCALE: LANG } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const token = await setupAdmin(server);
    const api = apiClient(server.url, token);
    await api('PATCH', '/auth/me', { locale: LANG });
    const { templates } = await api<{ templates: { id: string; settings: Record<string, unknown> }[] }>('GET', '/templates');
    const template = templates[0]!;
    await api('PUT', `/templates/${template.id}`, { ...template.settings, country: 'RU', callingWindow: { from: '00:00', to: '23:59' }, redial: { mode: 'none' } });
    const call = await api<Attempt>('POST', '/test-calls', { templateId: template.id, phone: '+7 900 000-00-04', variables: { name: LANG === 'ru' ? 'Анна' : 'Anna' } });
    await api(`GET`, `/attempts/${call.id}?wait=60`);
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: LANG === 'ru' ? 'Мартовские лиды' : 'March leads',
      templateId: template.id,
      settings: { window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }, completeWhenDone: true, intensity: 20 },
    });
    const phones = ['0004', '0007', '0003', '0005', '0004', '0002', '0007', '0004', '0001', '0004'];
    await api('POST', `/campaigns/${campaign.id}/numbers/batch`, {
      items: phones.map((p, i) => ({ phone: `+7 900 ${String(100 + i).padStart(3, '0')}-${p.slice(0, 2)}-${p.slice(2)}`, variables: { name: ['Anna', 'Boris', 'Vera', 'Gleb', 'Dina', 'Egor', 'Zoya', 'Ilya', 'Kira', 'Lev'][i] } })),
    });
    const open = await api<{ id: string }>('POST', '/campaigns', { name: LANG === 'ru' ? 'Апрельская база' : 'April base', templateId: template.id, settings: { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' } } });
    await api('POST', `/campaigns/${open.id}/pause`);
    for (let i = 0; i < 300; i++) {
      const c = await api<{ status: string }>('GET', `/campaigns/${campaign.id}`);
      if (c.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: LANG === 'ru' ? 'ru-RU' : 'en-GB', deviceScaleFactor: 1 });
    await context.addInitScript((t) => localStorage.setItem('dozvon.session', t), token);
    const page = await context.newPage();
    const shot = async (name: string, ready: (p: Page) => Promise<unknown>) => {
      await ready(page);
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(OUT, `${name}.png`) });
      process.stdout.write(`docs/console/${name}.png\n`);
    };
    await page.goto(`${server.url}/`);
    await shot('dashboard', (p) => p.locator('canvas').first().waitFor());
    await page.goto(`${server.url}/templates/${template.id}`);
    await shot('template', (p) => p.locator('input[name="name"]').waitFor());
    const { scenarios } = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    await page.goto(`${server.url}/scenarios/${scenarios[0]!.id}`);
    await shot('scenario', (p) => p.locator('.vue-flow__node').first().waitFor());
    await page.getByTestId('problem-count').waitFor();
    await page.locator('.vue-flow__node[data-id="askInterest"]').click();
    await shot('scenario-node', (p) => p.getByTestId('node-form').waitFor());
    await page.goto(`${server.url}/campaigns/${campaign.id}?tab=stats`);
    await shot('campaign-statistics', (p) => p.getByTestId('reach').waitFor());
    await page.goto(`${server.url}/campaigns/${open.id}?tab=numbers`);
    const file = await writeXlsxFile(
      [
        ['Телефон', 'Клиент', 'Город'],
        ['+7 900 000-00-04', 'Анна', 'Москва'],
        ['8 900 000 00 07', 'Борис', 'Тверь'],
        ['12-34', 'Глеб', 'Тула'],
      ].map((r) => r.map((value) => ({ value }))),
    ).toBuffer();
    await page.locator('input[type="file"]').setInputFiles({ name: 'clients.xlsx', mimeType: 'application/octet-stream', buffer: file });
    await shot('import-preview', (p) => p.getByTestId('dry-run').waitFor());
    await page.goto(`${server.url}/templates/${template.id}`);
    await page.getByRole('tab').nth(1).click();
    await page.locator('input[type="tel"]').first().fill('+7 900 000-00-04');
    await page.locator('form button[type="submit"]').click();
    await shot('test-call', (p) => p.locator('[data-testid="call-details"] audio').waitFor({ timeout: 60_000 }));
    await page.goto(`${server.url}/integrations`);
    await shot('api-and-webhooks', (p) => p.getByTestId('webhook-secret').waitFor());
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
