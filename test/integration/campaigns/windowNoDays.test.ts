import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createCampaign, makeTemplate, type ErrorBody } from './helpers.js';

/** A calling window without a single weekday would never open: refused with a message in the caller's language. */
let t: TestApp;
let templateId: string;
beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

describe('a calling window with no days', () => {
  it('is refused when a campaign is created or changed, in English and Russian; nothing is stored', async () => {
    const count = async () => Number((await t.dozvon.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns')).rows[0]!.n);
    const before = await count();
    const created = await t.api<ErrorBody>('POST', '/campaigns', { name: 'Never', templateId, settings: { window: { days: [], from: '09:00', to: '18:00' } } });
    expect(created.status).toBe(422);
    expect(created.body.error.details).toEqual([
      { path: 'settings.window.days', reason: 'validation.window_no_days', message: 'Choose at least one weekday on which calls may be made.' },
    ]);
    expect(await count()).toBe(before);

    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    const changed = await t.api<ErrorBody>('PATCH', `/campaigns/${c.id}?lang=ru`, { settings: { ...c.settings, window: { days: [], from: '09:00', to: '18:00' } } });
    expect(changed.status).toBe(422);
    expect(changed.body.error.details[0]).toMatchObject({ path: 'settings.window.days', message: 'Выберите хотя бы один день недели, в который можно звонить.' });
    const daysBefore = (c.settings.window as { days: number[] }).days;
    expect((await t.api<{ settings: { window: { days: number[] } } }>('GET', `/campaigns/${c.id}`)).body.settings.window.days).toEqual(daysBefore);
  });
});
