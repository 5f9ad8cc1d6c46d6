import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import type { Browser, Page } from 'playwright-core';
import writeXlsxFile from 'write-excel-file/node';
import { expect } from 'vitest';
import { initI18n, t as translate, type Locale } from '../../../src/i18n.js';
import { drag, exactly, newConsolePage, snap, type BrowserLog, type ConsoleServer } from './support.js';

/**
 * The whole console as a newcomer uses it, in one language: first administrator with the setup
 * code → a template's calling hours → the scenario edited in the graph (a question node added,
 * its branches connected) → simulated → a test call to the sandbox's "woman who agrees" with the
 * recording played → a campaign from a clients file with a column mapping → progress to completion
 * → statistics → export. Texts are looked up in the locale files, so the same steps run in Russian
 * and English and a missing translation fails the test.
 */
export interface FlowResult {
  page: Page;
  log: BrowserLog;
  campaignId: string;
}

const node = (id: string) => `.vue-flow__node[data-id="${id}"]`;
const source = (id: string, exit: string) => `${node(id)} .vue-flow__handle.source[data-handleid="${exit}"]`;
const target = (id: string) => `${node(id)} .vue-flow__handle.target`;

/** A clients file: Russian headers, one bad number; XLSX in the Russian run, CSV in Windows-1251 in the English one. */
async function clientsFile(lng: Locale): Promise<{ name: string; data: Buffer }> {
  const rows = [
    ['Телефон', 'Клиент', 'Город'],
    ['+7 900 000-00-04', 'Анна', 'Москва'],
    ['+7 900 000-00-07', 'Борис', 'Тверь'],
    ['12-34', 'Глеб', 'Тула'],
    ['+7 900 000-00-01', 'Вера', 'Омск'],
  ];
  if (lng === 'ru') return { name: 'клиенты.xlsx', data: await writeXlsxFile(rows.map((r) => r.map((value) => ({ value })))).toBuffer() };
  return { name: 'clients.csv', data: iconv.encode(rows.map((r) => r.join(';')).join('\r\n'), 'win1251') };
}

export async function runFlow(browser: Browser, server: ConsoleServer, lng: Locale): Promise<FlowResult> {
  initI18n();
  const T = (key: string, params: Record<string, unknown> = {}) => translate(lng, key, params);
  const shots = `flow-${lng}`;
  const { page, log } = await newConsolePage(browser, { locale: lng === 'ru' ? 'ru-RU' : 'en-GB' });
  const base = server.url;

  // ------------------------------------------------------------------ first administrator
  await page.goto(`${base}/`);
  await page.waitForURL(/\/setup$/);
  await page.getByRole('group', { name: T('console.lang.label') }).getByRole('button', { name: T(`console.lang.${lng}`) }).click();
  await page.getByRole('heading', { name: T('console.setup.title') }).waitFor();
  await snap(page, shots, '01-first-run');
  // A wrong code is refused next to the code field, in words.
  await page.getByLabel(exactly(T('console.setup.code'))).fill('not-the-code');
  await page.getByLabel(exactly(T('console.users.name'))).fill('Ada Admin');
  await page.getByLabel(exactly(T('console.auth.email'))).fill(`ada-${lng}@example.com`);
  await page.getByLabel(exactly(T('console.auth.password'))).fill('correct-horse-battery');
  await page.getByLabel(exactly(T('console.auth.password_repeat'))).fill('correct-horse-battery');
  await page.getByRole('button', { name: T('console.setup.create') }).click();
  await page.getByText(T('errors.setup_code_wrong')).waitFor();
  await page.getByLabel(exactly(T('console.setup.code'))).fill(server.setupCode());
  await page.getByRole('button', { name: T('console.setup.create') }).click();
  await page.waitForURL(`${base}/`);
  await page.getByTestId('calls-today').waitFor();
  await snap(page, shots, '02-dashboard-empty');

  // ------------------------------------------------------------------ template: call at any hour, Russian numbers
  await page.getByRole('navigation', { name: T('console.nav.label') }).getByRole('link', { name: T('console.nav.templates') }).click();
  const templateName = T('starter.template_name');
  await page.getByRole('link', { name: templateName }).click();
  await page.getByLabel(exactly(T('console.templates.f.name'))).waitFor();
  await page.getByLabel(exactly(T('console.templates.f.window_from'))).fill('00:00');
  await page.getByLabel(exactly(T('console.templates.f.window_to'))).fill('23:59');
  await page.getByLabel(exactly(T('console.templates.f.country'))).fill('RU');
  // A busy number is not called again (the starter redials it after 15 minutes).
  const busy = page.getByRole('checkbox', { name: T('console.redial.events.busy') });
  await busy.click();
  expect(await busy.isChecked()).toBe(false);
  // Bad input is refused next to the field, in the user's language; nothing is saved.
  await page.getByLabel(exactly(T('console.templates.f.name'))).fill('');
  await page.getByRole('button', { name: T('console.templates.save') }).click();
  await page.getByText(T('console.templates.not_saved')).waitFor();
  await page.getByText(T('validation.too_small_string', { minimum: 1 })).first().waitFor();
  await page.getByLabel(exactly(T('console.templates.f.name'))).fill(templateName);
  await page.getByRole('button', { name: T('console.templates.save') }).click();
  await page.getByText(T('console.templates.saved', { version: 2 }), { exact: true }).first().waitFor();
  await snap(page, shots, '03-template');
  await page.getByRole('tab', { name: T('console.templates.tabs.versions') }).click();
  const diff = page.getByTestId('version-diff');
  await diff.getByText(T('console.versions.fields.callingWindow')).first().waitFor();
  await diff.getByText(T('console.versions.fields.busy')).first().waitFor();
  await snap(page, shots, '04-template-versions');

  // ------------------------------------------------------------------ scenario: a question added, its branches connected
  await page.getByRole('navigation', { name: T('console.nav.label') }).getByRole('link', { name: T('console.nav.scenarios') }).click();
  await page.getByRole('link', { name: T('starter.scenario_name') }).click();
  await page.locator(node('greet')).waitFor();
  await page.getByTestId('problem-count').getByText(T('console.scenarios.no_problems')).waitFor();
  await page.getByRole('toolbar', { name: T('console.scenarios.palette') }).getByRole('button', { name: `+ ${T('console.elements.ask.name')}` }).click();
  await page.locator(node('ask1')).waitFor();
  // Undo removes the node, redo brings it back.
  await page.getByRole('button', { name: T('console.scenarios.undo') }).click();
  await page.locator(node('ask1')).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: T('console.scenarios.redo') }).click();
  await page.locator(node('ask1')).waitFor();
  // The new question has problems, shown on the node: its exits are not connected, nothing leads to it.
  expect(Number(await page.locator(`${node('ask1')} [data-testid="node-problems"]`).innerText())).toBeGreaterThan(0);
  await page.locator(`${node('ask1')}`).click();
  const question = page.getByRole('combobox', { name: T('console.scenarios.f.question') });
  await question.fill(lng === 'ru' ? 'Вам удобно говорить, ' : 'Is it a good time, ');
  // Variables are offered as you type "{".
  await question.press('End');
  await question.pressSequentially('{na');
  await page.getByRole('option', { name: /\{name\}/ }).waitFor();
  await question.press('Enter');
  expect(await question.inputValue()).toMatch(/[^{]\{name\}$/);
  await page.getByText(T('scenario.missing_exit', { node: 'ask1', exit: 'yes' })).first().waitFor();
  await drag(page, source('greet', 'next'), target('ask1'));
  await drag(page, source('ask1', 'yes'), target('askInterest'));
  await drag(page, source('ask1', 'no'), target('byeDeclined'));
  await page.getByTestId('problem-count').getByText(T('console.scenarios.no_problems')).waitFor();
  await snap(page, shots, '05-scenario-graph');
  await page.getByRole('button', { name: T('console.scenarios.save_version') }).click();
  await page.getByText(T('console.scenarios.saved', { version: 2 }), { exact: true }).first().waitFor();

  // ------------------------------------------------------------------ simulate: the same interpreter, no call
  await page.getByRole('button', { name: T('console.simulate.title') }).click();
  const sim = page.getByTestId('simulate');
  await sim.getByText(T('console.simulate.variables')).click();
  await sim.getByLabel('name', { exact: true }).fill('');
  await sim.getByRole('button', { name: T('console.simulate.start') }).click();
  const answer = sim.getByLabel(exactly(T('console.simulate.answer')));
  await expect.poll(() => answer.isEnabled()).toBe(true);
  await answer.fill(lng === 'ru' ? 'да, конечно' : 'yes, sure');
  await sim.getByRole('button', { name: T('console.simulate.send') }).click();
  // The new question's "yes" led to the old question.
  await sim.getByText(T('console.simulate.took', { element: T('console.elements.ask.name'), node: 'ask1', exit: 'yes', next: `${T('starter.node_ask')} (askInterest)` })).waitFor();
  await expect.poll(() => answer.isEnabled()).toBe(true);
  await answer.fill(lng === 'ru' ? 'нет, не интересно' : 'no thanks, not interested');
  await sim.getByRole('button', { name: T('console.simulate.send') }).click();
  await sim.getByText(T('console.simulate.result', { result: 'not_interested', tags: 'negative' })).waitFor();
  await snap(page, shots, '06-simulate');

  // ------------------------------------------------------------------ test call: the woman who agrees, recording played
  await page.goto(`${base}/templates`);
  await page.getByRole('link', { name: templateName }).click();
  await page.getByRole('tab', { name: T('console.templates.tabs.test_call') }).click();
  await page.getByLabel(exactly(T('console.test_call.phone'))).fill('+7 900 000-00-04');
  await page.getByRole('button', { name: T('console.test_call.call') }).click();
  const call = page.getByTestId('call-details');
  await call.getByText(T('outcome.human')).waitFor({ timeout: 60_000 });
  await call.getByText(T('call.genders.female')).waitFor();
  await call.getByText('interested', { exact: true }).waitFor();
  const audio = call.locator('audio');
  await audio.waitFor({ timeout: 30_000 });
  await audio.evaluate(async (el: HTMLAudioElement) => {
    el.muted = true;
    await el.play();
  });
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.currentTime), { timeout: 15_000 }).toBeGreaterThan(0);
  await snap(page, shots, '07-test-call');

  // ------------------------------------------------------------------ campaign from a clients file with a mapping
  await page.getByRole('navigation', { name: T('console.nav.label') }).getByRole('link', { name: T('console.nav.campaigns') }).click();
  await page.getByRole('link', { name: T('console.campaigns.new') }).first().click();
  await page.getByLabel(exactly(T('console.campaigns.f.name'))).fill(lng === 'ru' ? 'Мартовские лиды' : 'March leads');
  const days = page.getByRole('group', { name: T('console.campaigns.f.days') });
  for (const box of await days.getByRole('checkbox').all()) if (!(await box.isChecked())) await box.click();
  await page.getByLabel(exactly(T('console.campaigns.f.from'))).fill('00:00');
  await page.getByLabel(exactly(T('console.campaigns.f.to'))).fill('23:59');
  await snap(page, shots, '08-new-campaign');
  await page.getByRole('button', { name: T('console.campaigns.create') }).click();
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}/);
  const campaignId = /campaigns\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  const file = await clientsFile(lng);
  await page.getByLabel(exactly(T('console.import.choose_file'))).setInputFiles({ name: file.name, mimeType: 'application/octet-stream', buffer: file.data });
  const facts = page.getByTestId('file-facts');
  await facts.getByText(lng === 'ru' ? 'xlsx' : 'csv', { exact: true }).waitFor();
  if (lng === 'en') {
    await facts.getByText('windows-1251').waitFor();
    await facts.getByText('«;»').waitFor();
  }
  const dry = page.getByTestId('dry-run');
  await dry.getByText(T('console.import.r_rejected', { n: 1 })).waitFor();
  await page.getByTestId('rejected').getByText('12-34', { exact: true }).waitFor();
  // "Клиент" is not a name the scenario knows: map it to the variable "name".
  await page.getByLabel(exactly(T('console.import.column_role', { column: 'Клиент' }))).click();
  await page.getByRole('option', { name: T('console.import.as_variable', { name: 'name' }) }).click();
  await page.getByLabel(exactly(T('console.import.column_role', { column: 'Город' }))).click();
  await page.getByRole('option', { name: T('console.import.as_ignored') }).click();
  await dry.getByText(T('console.import.r_new', { n: 3 })).waitFor();
  await snap(page, shots, '09-import-preview');
  await page.getByRole('button', { name: T('console.import.do_import', { n: 3 }) }).click();
  await page.getByText(T('console.import.done', { n: 3 })).waitFor();

  // ------------------------------------------------------------------ progress to completion, live
  await page.getByRole('tab', { name: T('console.campaigns.tabs.overview') }).click();
  await page.getByText(T('console.campaign_status.completed'), { exact: true }).first().waitFor({ timeout: 90_000 });
  await page.getByText(T('console.progress.done_of', { done: 3, total: 3 })).first().waitFor();
  await snap(page, shots, '10-campaign-done');

  // ------------------------------------------------------------------ statistics, calls, export
  await page.getByRole('tab', { name: T('console.campaigns.tabs.stats') }).click();
  await page.getByTestId('reach').waitFor();
  await page.getByRole('region', { name: T('console.stats.outcomes') }).locator('canvas').waitFor();
  await snap(page, shots, '11-statistics');
  await page.getByRole('tab', { name: T('console.campaigns.tabs.calls') }).click();
  await page.getByRole('button', { name: T('console.calls.open_call', { phone: '+79000000004' }) }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('transcript').getByText('Анна', { exact: false }).first().waitFor();
  await snap(page, shots, '12-call');
  await page.keyboard.press('Escape');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: T('console.campaigns.export_xlsx') }).click();
  const xlsx = await download;
  const rows = await readSheet(await streamToBuffer(await xlsx.createReadStream()));
  expect(rows[0]).toContain(T('export.phone'));
  expect(rows.length).toBeGreaterThanOrEqual(4);
  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: T('console.campaigns.export_csv') }).click();
  const csv = (await streamToBuffer(await (await csvDownload).createReadStream())).toString('utf8');
  expect(csv).toContain(T('export.outcome'));

  await page.getByRole('navigation', { name: T('console.nav.label') }).getByRole('link', { name: T('console.nav.dashboard') }).click();
  await expect.poll(async () => Number(await page.getByTestId('calls-today').innerText())).toBeGreaterThanOrEqual(4);
  await snap(page, shots, '13-dashboard');
  return { page, log, campaignId };
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}
