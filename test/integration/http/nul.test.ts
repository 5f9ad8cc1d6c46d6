import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createCampaign, listNumbers, makeTemplate, type ErrorBody } from '../campaigns/helpers.js';

/**
 * NUL (U+0000) cannot be stored in PostgreSQL text or jsonb. Anywhere in a request — JSON, form
 * fields, query, path — it is a 422 naming where (in a 10,000-item batch: which item and field),
 * never a 500, and nothing is written. In an imported file the row carrying it is rejected with a
 * reason, the other rows are imported.
 */
let t: TestApp;
let templateId: string;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
  campaignId = (await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() })).id;
});
afterAll(async () => t?.stop());

const count = async (table: string) => Number((await t.dozvon.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

describe('NUL in a request', () => {
  it('item 7,412 of a 10,000-item batch carries NUL: 422 naming that item and field, nothing added', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ phone: `+7900${String(1_000_000 + i).slice(1)}`, variables: { name: `Client ${i}` } }));
    items[7412]!.variables.name = 'Ann\u0000a';
    const before = await count('campaign_numbers');
    const r = await t.api<ErrorBody>('POST', `/campaigns/${campaignId}/numbers/batch`, { items });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual([
      { path: 'items.7412.variables.name', reason: 'validation.nul_character', message: 'Contains the NUL character (\\u0000), which cannot be stored; remove it.' },
    ]);
    expect(await count('campaign_numbers')).toBe(before);
  });

  it('in a key, a template name, a phone, in Russian: 422 with the path, nothing stored', async () => {
    const before = await count('templates');
    const r = await t.api<ErrorBody>('POST', '/templates?lang=ru', { name: 'Шаблон\u0000' });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual([expect.objectContaining({ path: 'name', message: 'Содержит символ NUL (\\u0000), который нельзя сохранить; удалите его.' })]);
    expect(await count('templates')).toBe(before);
    const key = await t.api<ErrorBody>('POST', `/campaigns/${campaignId}/numbers`, { phone: '+79001112233', variables: { 'na\u0000me': 'x' } });
    expect(key.status).toBe(422);
    expect(key.body.error.details[0]).toMatchObject({ path: 'variables.na\\u0000me', reason: 'validation.nul_character' });
    const phone = await t.api<ErrorBody>('POST', `/campaigns/${campaignId}/numbers`, { phone: '+7900\u00001112233' });
    expect(phone.status).toBe(422);
    expect(phone.body.error.details[0]!.path).toBe('phone');
  });

  it('in the query or the path: 422, not 500', async () => {
    const q = await t.api<ErrorBody>('GET', `/campaigns/${campaignId}/numbers?externalId=a%00b`);
    expect(q.status).toBe(422);
    expect(q.body.error.details[0]).toMatchObject({ path: 'query.externalId', reason: 'validation.nul_character' });
    const p = await t.api<ErrorBody>('GET', `/campaigns/${campaignId}%00/numbers`);
    expect(p.status).toBe(422);
    expect(p.body.error.details[0]!.path).toBe('path');
    const health = await fetch(`${t.url}/health?x=%00`);
    expect(health.status).toBe(422);
  });

  it('in a multipart form field: 422 naming the field', async () => {
    const form = new FormData();
    form.append('name', 'greet\u0000ing');
    form.append('file', new Blob([new Uint8Array(64)]), 'a.wav');
    const res = await fetch(`${t.url}/api/v1/greetings`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details[0]).toMatchObject({ path: 'name', reason: 'validation.nul_character' });
  });

  it('deeply nested input does not overflow anything: a plain 422 or 400', async () => {
    const deep = `${'['.repeat(50_000)}"\u0000"${']'.repeat(50_000)}`;
    const r = await t.api<ErrorBody>('POST', '/templates', `{"name":${deep}}`);
    expect([400, 422]).toContain(r.status);
  });
});

describe('NUL in an imported file', () => {
  it('the row with NUL in a cell is rejected with the reason and column; a NUL in a header is dropped; other rows are imported', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const csv = ['phone,na\u0000me,city', '+7 900 700-00-01,Anna,Moscow', '+7 900 700-00-02,Bo\u0000ris,Kazan', '+7 900 700-00-03,Vera,Omsk', '+7 900 700\u0000-00-04,Gleb,Tula'].join('\r\n');
    const form = new FormData();
    form.append('file', new Blob([csv]), 'clients.csv');
    const res = await fetch(`${t.url}/api/v1/campaigns/${c.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { contactsAdded: number; errors: { row: number; column: string; value: string; reason: string; message: string }[] };
    expect(report.contactsAdded).toBe(2);
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 3, column: 'name', value: 'Bo\\u0000ris', reason: 'clientsFile.rowErrors.nul_character' }),
      expect.objectContaining({ row: 5, column: 'phone', reason: 'clientsFile.rowErrors.nul_character' }),
    ]);
    expect(report.errors[0]!.message).toContain('NUL');
    const numbers = await listNumbers(t, c.id);
    expect(numbers.map((n) => [n.phone, n.variables])).toEqual(
      expect.arrayContaining([
        ['+79007000001', { name: 'Anna', city: 'Moscow' }],
        ['+79007000003', { name: 'Vera', city: 'Omsk' }],
      ]),
    );
    expect(numbers).toHaveLength(2);
  });

  it('a NUL far into a large file (past what the format sniffer reads) rejects that row only', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const rows = Array.from({ length: 600 }, (_, i) => `+7 900 71${String(i).padStart(5, '0')},Client number ${i} with a long enough name`);
    rows[550] = rows[550]!.replace('Client', 'Cli\u0000ent');
    const form = new FormData();
    form.append('file', new Blob([['phone,name', ...rows].join('\n')]), 'clients.csv');
    const res = await fetch(`${t.url}/api/v1/campaigns/${c.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { contactsAdded: number; errors: { row: number; reason: string }[] };
    expect(report.errors).toEqual([expect.objectContaining({ row: 552, reason: 'clientsFile.rowErrors.nul_character' })]);
    expect(report.contactsAdded).toBe(599);
  });
});
