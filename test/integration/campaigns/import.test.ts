import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createCampaign, listNumbers, makeTemplate, waitFor, waitSettled, type CampaignBody, type ErrorBody, type NumberBody } from './helpers.js';

/**
 * Importing a clients file into a campaign (V5): CSV in the encodings and separators Russian Excel
 * and CRMs produce, TXT with one number a line (the VoxLink format), XLSX; per-row errors while the
 * good rows are kept; a file that is not a list of clients changes nothing.
 */
let t: TestApp;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

interface ImportReport {
  format: string;
  encoding: string | null;
  rows: number;
  contactsAdded: number;
  numbersAdded: number;
  duplicatesInFile: number;
  duplicatesInCampaign: number;
  errors: { row: number; column: string | null; value: string; reason: string; message: string }[];
  warnings: { row: number; value: string; reason: string; message: string }[];
  unknownColumns: string[];
  missingVariables: string[];
}

async function upload<T = ImportReport>(campaignId: string, data: Buffer | string, filename: string, o: { type?: string; lang?: string; field?: string } = {}): Promise<{ status: number; body: T }> {
  const form = new FormData();
  form.append(o.field ?? 'file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type: o.type ?? 'application/octet-stream' }), filename);
  const res = await fetch(`${t.url}/api/v1/campaigns/${campaignId}/numbers/import${o.lang ? `?lang=${o.lang}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A campaign scheduled an hour ahead: imported numbers stay as they were stored. */
const waitingCampaign = () => createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
const byPhone = (ns: NumberBody[]) => Object.fromEntries(ns.map((n) => [n.phone, n]));

describe('CSV', () => {
  it('UTF-8 with BOM, comma-separated: rows become clients with their variables and ids; bad rows are reported, good ones kept', async () => {
    const c = await waitingCampaign();
    const csv = [
      'phone,name,product,id',
      '+7 900 600-00-04,Anna,Widget,crm-1',
      '8 900 600 00 07,Борис Ёлкин,"Gadget, large",crm-2',
      'not a phone,Nobody,,crm-3',
      '+7 900 600-00-04,Anna again,,crm-4',
      ',Empty,,crm-5',
    ].join('\r\n');
    const r = await upload(c.id, `\uFEFF${csv}\r\n`, 'clients.csv', { type: 'text/csv' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ format: 'csv', encoding: 'utf-8', rows: 5, contactsAdded: 2, numbersAdded: 2, duplicatesInFile: 1, missingVariables: [] });
    expect(r.body.errors.map((e) => [e.row, e.value])).toEqual([
      [4, 'not a phone'],
      [6, ''],
    ]);
    for (const e of r.body.errors) {
      expect(e.reason).toMatch(/^(phone|clientsFile)\./);
      expect(e.message).not.toMatch(/^(phone|clientsFile)\./);
    }
    expect(r.body.warnings.map((w) => [w.row, w.reason])).toEqual([[5, 'clientsFile.rowWarnings.duplicate_phone']]);

    const numbers = byPhone(await listNumbers(t, c.id));
    expect(Object.keys(numbers).sort()).toEqual(['+79006000004', '+79006000007']);
    expect(numbers['+79006000004']).toMatchObject({ status: 'new', externalId: 'crm-1', variables: { name: 'Anna', product: 'Widget' } });
    expect(numbers['+79006000007']).toMatchObject({ externalId: 'crm-2', variables: { name: 'Борис Ёлкин', product: 'Gadget, large' } });

    // The same file again: every number is already in the campaign.
    const again = await upload(c.id, `\uFEFF${csv}\r\n`, 'clients.csv');
    expect(again.body).toMatchObject({ contactsAdded: 0, numbersAdded: 0, duplicatesInCampaign: 2 });
    expect(await listNumbers(t, c.id)).toHaveLength(2);
  });

  it('Windows-1251 with ";" (what Russian Excel saves): Cyrillic names read correctly; messages in Russian', async () => {
    const c = await waitingCampaign();
    const text = ['Телефон;Имя;Компания', '8 (900) 610-00-04;Иван Петров;ООО «Ромашка»', '+7 900 610-00-07;Ёлкина Мария;"ИП Ёлкина; филиал"', '123;Короткий;'].join('\r\n');
    const r = await upload(c.id, iconv.encode(text, 'win1251'), 'клиенты.csv', { lang: 'ru' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ format: 'csv', encoding: 'windows-1251', contactsAdded: 2, unknownColumns: ['Компания'] });
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0]).toMatchObject({ row: 4, value: '123', reason: 'phone.too_short' });
    expect(r.body.errors[0]!.message).toMatch(/[а-яё]/i);
    const numbers = byPhone(await listNumbers(t, c.id));
    expect(numbers['+79006100004']!.variables).toEqual({ name: 'Иван Петров', Компания: 'ООО «Ромашка»' });
    expect(numbers['+79006100007']!.variables).toEqual({ name: 'Ёлкина Мария', Компания: 'ИП Ёлкина; филиал' });
  });

  it('the fixture Russian Excel file and a tab-separated export', async () => {
    const c = await waitingCampaign();
    const fixture = fs.readFileSync(path.resolve('test/fixtures/clientsFile/clients-cp1251.csv'));
    const r = await upload(c.id, fixture, 'clients.csv');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ encoding: 'windows-1251', contactsAdded: 2, duplicatesInFile: 1 });
    expect(r.body.errors.map((e) => e.value)).toEqual(['нет номера']);

    const tsv = 'phone\tname\tid\n+79006200004\tTab Anna\tt-1\n+79006200007\tTab Boris\tt-2\n';
    const tab = await upload(c.id, tsv, 'export.tsv', { type: 'text/tab-separated-values' });
    expect(tab.status).toBe(200);
    expect(tab.body).toMatchObject({ format: 'csv', contactsAdded: 2, errors: [] });
    const numbers = byPhone(await listNumbers(t, c.id));
    expect(numbers['+79006200004']).toMatchObject({ externalId: 't-1', variables: { name: 'Tab Anna' } });
    expect(numbers['+74959898533']!.variables.name).toBe('Иван Петров');
    expect(Object.keys(numbers)).toHaveLength(4);
  });
});

describe('TXT and XLSX', () => {
  it('TXT, one number a line in Russian formats (84959898533, 8 (495) …, +7 …): blank lines skipped, duplicates collapsed', async () => {
    const c = await waitingCampaign();
    const txt = '84959898533\r\n\r\n88003337533\r\n\r\n8 (495) 989-85-33\r\n+7 900 630-00-04\r\nзвонить вечером\r\n';
    const r = await upload(c.id, txt, 'numbers.txt', { type: 'text/plain' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ format: 'txt', rows: 5, contactsAdded: 3, duplicatesInFile: 1 });
    expect(r.body.errors.map((e) => [e.row, e.value, e.reason])).toEqual([[7, 'звонить вечером', 'phone.not_a_number']]);
    expect((await listNumbers(t, c.id)).map((n) => n.phone).sort()).toEqual(['+74959898533', '+78003337533', '+79006300004']);

    // The seed's own file.
    const seed = await upload(c.id, fs.readFileSync(path.resolve('test/fixtures/clientsFile/voxlink-numbers.txt')), 'voxlink.txt');
    expect(seed.status).toBe(200);
    expect(seed.body.numbersAdded + seed.body.duplicatesInCampaign).toBeGreaterThan(0);
  });

  it('XLSX with numeric phone cells; a bad row is reported and the others kept', async () => {
    const c = await waitingCampaign();
    const xlsx = await writeXlsxFile([
      ['Телефон', 'Имя', 'ID'],
      [79006400004, 'Xlsx Anna', 'x-1'],
      ['8 900 640-00-07', 'Xlsx Boris', 'x-2'],
      ['call me', 'Bad', 'x-3'],
    ]).toBuffer();
    const r = await upload(c.id, xlsx, 'clients.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ format: 'xlsx', encoding: null, rows: 3, contactsAdded: 2 });
    expect(r.body.errors).toMatchObject([{ row: 4, value: 'call me' }]);
    const numbers = byPhone(await listNumbers(t, c.id));
    expect(numbers['+79006400004']).toMatchObject({ externalId: 'x-1', variables: { name: 'Xlsx Anna' } });
    expect(numbers['+79006400007']).toMatchObject({ externalId: 'x-2' });
  });

  it('imported numbers are called once the campaign runs', async () => {
    const c = await createCampaign(t, templateId);
    const r = await upload(c.id, 'phone;name\n+7 900 650-00-04;Imported Anna\n+7 900 650-00-07;Imported Boris\n', 'clients.csv');
    expect(r.body.contactsAdded).toBe(2);
    const settled = await waitSettled(t, c.id);
    expect(settled.map((n) => n.status)).toEqual(['answered', 'answered']);
  });
});

describe('a large file into a running campaign', () => {
  it('is stored in steps: the API answers meanwhile, nothing of it is dialled before all of it is in, a second file waits its turn', async () => {
    const c = await createCampaign(t, templateId);
    const rows = 30_000;
    const lines = ['phone;name', ...Array.from({ length: rows }, (_, i) => `+7 902 ${String(i).padStart(7, '0').replace(/(\d{3})(\d{2})(\d{2})/, '$1-$2-$3')};Client ${i}`)];
    let finished = false;
    const importing = upload(c.id, lines.join('\n'), 'big.csv').finally(() => (finished = true));
    // The campaign as the API shows it while the file is being stored: some of its rows are in.
    let partial: CampaignBody | undefined;
    while (!finished && !partial) {
      const r = await t.api<CampaignBody>('GET', `/campaigns/${c.id}`);
      const stored = Object.values(r.body.numbers ?? {}).reduce((n, x) => n + x, 0);
      if (!finished && stored > 0 && stored < rows) partial = r.body;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(partial, 'the API answered only once the whole file was stored').toBeDefined();
    expect(partial!.numbers).not.toHaveProperty('dialing');
    const second = await upload<ErrorBody>(c.id, 'phone\n+79026600001\n', 'more.csv', { lang: 'ru' });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/уже загружается другой файл/);

    const done = await importing;
    expect(done.body).toMatchObject({ contactsAdded: rows, numbersAdded: rows, errors: [] });
    // Once all of it is in, the campaign dials it.
    await waitFor(
      () => t.api<CampaignBody>('GET', `/campaigns/${c.id}`),
      (r) => (r.body.numbers?.new ?? 0) < rows,
      { what: 'the imported numbers to be dialled' },
    );
    expect((await t.api('DELETE', `/campaigns/${c.id}`)).status).toBeLessThan(300);
  });
  it('stopped half-way (its import taken for dead): 409, and none of the file is kept', async () => {
    const c = await waitingCampaign();
    const rows = 30_000;
    const lines = ['phone', ...Array.from({ length: rows }, (_, i) => `+7904${String(i).padStart(7, '0')}`)];
    let finished = false;
    const importing = upload<ErrorBody>(c.id, lines.join('\n'), 'big.csv').finally(() => (finished = true));
    const stored = async () => Object.values((await t.api<CampaignBody>('GET', `/campaigns/${c.id}`)).body.numbers ?? {}).reduce((n, x) => n + x, 0);
    while (!finished && (await stored()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finished, 'the import ended before any of it could be seen').toBe(false);
    await t.dozvon.app.db.query('DELETE FROM campaign_imports WHERE campaign_id = $1', [c.id]);
    const r = await importing;
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/Nothing from this file was kept/);
    expect(await stored()).toBe(0);
  });
});

describe('files that are not a list of clients', () => {
  const count = async (campaignId: string) =>
    Number((await t.dozvon.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaign_contacts WHERE campaign_id = $1', [campaignId])).rows[0]!.n);

  it.each([
    ['a PNG image', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]), 'clients.csv', 415, /png/],
    ['binary garbage', Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)), 'clients.csv', 415, /binary/],
    ['a zip that is no workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 1)]), 'clients.xlsx', 400, /Excel/],
    ['an old .xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(300)]), 'clients.xls', 415, /xls/],
    ['an empty file', Buffer.alloc(0), 'clients.csv', 400, /empty/],
    ['a table without a phone column', Buffer.from('name;city\nAnna;Moscow\n'), 'clients.csv', 400, /phone/],
  ])('%s → %i with a clear message, nothing stored', async (_what, data, filename, status, message) => {
    const c = await waitingCampaign();
    const r = await upload<ErrorBody>(c.id, data, filename);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.message).toMatch(message);
    expect(r.body.error.message).not.toMatch(/^clientsFile\./);
    expect(await count(c.id)).toBe(0);
  });

  it('a CSV that breaks after many good rows stores none of them', async () => {
    const c = await waitingCampaign();
    const good = Array.from({ length: 2500 }, (_, i) => String(i).padStart(7, '0')).map((n, i) => `+7 901 ${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)};Client ${i}`);
    // Without the broken tail the rows are fine (and more than one batch).
    const control = await waitingCampaign();
    expect((await upload(control.id, ['phone;name', ...good].join('\n'), 'clients.csv')).body).toMatchObject({ contactsAdded: 2500, errors: [] });

    const broken = ['phone;name', ...good, '+7 901 999-99-99;"an unclosed quote', ...Array.from({ length: 50 }, () => 'x'.repeat(4000))].join('\n');
    const r = await upload<ErrorBody>(c.id, broken, 'clients.csv', { lang: 'ru' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/кавыч/i);
    expect(await count(c.id)).toBe(0);
  });

  it('no file, or not multipart: 4xx; a completed campaign takes no more numbers', async () => {
    const c = await waitingCampaign();
    const noFile = await upload<ErrorBody>(c.id, 'phone\n+79006600004\n', 'clients.csv', { field: 'other' });
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.message).toContain('"file"');
    const json = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/numbers/import`, { phone: '+79006600004' });
    expect(json.status).toBe(415);
    await t.api('POST', `/campaigns/${c.id}/complete`);
    const done = await upload<ErrorBody>(c.id, 'phone\n+79006600004\n', 'clients.csv');
    expect(done.status).toBe(409);
    expect(await count(c.id)).toBe(0);
  });
});
