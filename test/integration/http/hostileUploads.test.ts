import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { clientsWorkbook, zipBomb } from '../../support/hostileFiles.js';
import { databaseFingerprint } from '../../support/routeWorld.js';
import { createCampaign, makeTemplate } from '../campaigns/helpers.js';

/**
 * Hostile files through the import route (issue 8 §1): refused with 413 and the limit in the
 * caller's language, nothing imported; the server keeps answering while files are parsed (they
 * are parsed in a worker thread; how long /health takes meanwhile is `npm run bench -- hostile`).
 */
let t: TestApp;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp({ IMPORT_MAX_ROWS: '5000', WORKERS: 'false' });
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

async function upload(campaignId: string, data: Buffer, name: string, lang = 'en'): Promise<{ status: number; body: { error?: { code: string; message: string }; numbersAdded?: number } }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), name);
  const res = await fetch(`${t.url}/api/v1/campaigns/${campaignId}/numbers/import?lang=${lang}`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
  return { status: res.status, body: (await res.json()) as never };
}

describe('hostile uploads', () => {
  it('a zip bomb is refused with 413 in Russian and English; nothing is imported', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const before = await databaseFingerprint(t.dozvon.app.db);
    const bomb = await zipBomb(50);
    const ru = await upload(c.id, bomb, 'clients.xlsx', 'ru');
    expect(ru.status).toBe(413);
    expect(ru.body.error?.message).toMatch(/в 100 с лишним раз/);
    const en = await upload(c.id, bomb, 'clients.xlsx');
    expect(en.status).toBe(413);
    expect(en.body.error?.message).toMatch(/more than 100 times its own size/);
    expect(await databaseFingerprint(t.dozvon.app.db)).toEqual(before);
  });

  it('more rows than IMPORT_MAX_ROWS: 413 naming the limit; none of the rows before it is kept', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const before = await databaseFingerprint(t.dozvon.app.db);
    for (const [file, name] of [
      [await clientsWorkbook(5001), 'clients.xlsx'],
      [Buffer.from(`phone\n${Array.from({ length: 5001 }, (_, i) => `+7916${1_000_000 + i}`).join('\n')}\n`), 'clients.csv'],
    ] as const) {
      const r = await upload(c.id, file, name);
      expect(r.status).toBe(413);
      expect(r.body.error?.message).toContain('more than 5000 clients');
    }
    expect(await databaseFingerprint(t.dozvon.app.db)).toEqual(before);
  });

  it('while a large workbook is parsed and imported, /health keeps answering', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const file = await clientsWorkbook(5000);
    let importing = true;
    const done = upload(c.id, file, 'clients.xlsx').finally(() => (importing = false));
    const answered: number[] = [];
    while (importing) answered.push((await fetch(`${t.url}/health`)).status);
    const r = await done;
    expect(r.status).toBe(200);
    expect(r.body.numbersAdded).toBe(5000);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((s) => s === 200)).toBe(true);
  });
});
