import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markNeedsReauth } from '../../../src/crm/bitrix24/tokens/reauth.js';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { dealWithPhone, installedPortal, openInPortal, startE2e, visibleText, type E2e } from './support.js';

/**
 * The app's main page (handler path): connection, templates as robots, the bulk call by filter
 * with pipelines and stages read from the portal, the campaign's progress, recent campaigns; what a
 * manager sees, and a portal that needs re-authorisation.
 */
let e: E2e;
let portal: Portal;
let tenantId: string;

beforeAll(async () => {
  e = await startE2e();
  ({ portal, tenantId } = await installedPortal(e.h, 'en'));
  dealWithPhone(portal, 'Anna in preparation', '+79000000004', 'PREPARATION');
  dealWithPhone(portal, 'Boris in preparation', '+79000000007', 'PREPARATION');
  dealWithPhone(portal, 'Nina is new', '+79000000001', 'NEW');
});
afterAll(async () => {
  await e?.stop();
});

describe('app main page', () => {
  it('shows the connection and the templates with their robots', async () => {
    const { page, app } = await openInPortal(e.browser, portal);
    try {
      expect(await visibleText(app.getByRole('heading', { level: 1 }))).toBe('Dozvon — voice bot calls');
      expect(await visibleText(app.getByText(`Connected to ${portal.domain}.`))).toBeTruthy();
      await app.getByText('Signed in as').filter({ hasText: '(administrator)' }).waitFor();
      const templates = app.getByRole('region', { name: 'Call-task templates' });
      await templates.getByText('Qualify a lead', { exact: true }).waitFor();
      await templates.getByText('Call with voice bot: Qualify a lead').waitFor();
      const docs = templates.getByRole('link', { name: 'API description (OpenAPI)' });
      expect(await docs.getAttribute('href')).toBe(`${e.h.t.url}/api/v1/openapi.json`);
    } finally {
      await page.close();
    }
  });

  it('the filter form starts a campaign for the deals of one stage and follows it', async () => {
    const { page, app } = await openInPortal(e.browser, portal);
    try {
      const bulk = app.getByRole('region', { name: 'Bulk call by filter' });
      await bulk.getByLabel('Template').selectOption({ label: 'Qualify a lead' });
      expect(await bulk.getByRole('radio', { name: 'Deals' }).isChecked()).toBe(true);
      await bulk.getByLabel('Pipeline').locator('option', { hasText: 'General' }).waitFor({ state: 'attached' });
      await bulk.getByLabel('Stage', { exact: true }).locator('option', { hasText: 'Document preparation' }).waitFor({ state: 'attached' });
      await bulk.getByLabel('Stage', { exact: true }).selectOption({ label: 'Document preparation' });
      await bulk.getByText('Matching deals: 2').waitFor();
      await bulk.getByRole('button', { name: 'Start calling' }).click();

      await bulk.getByRole('status').filter({ hasText: 'Campaign “Qualify a lead: deals by filter from Bitrix24” started.' }).waitFor();
      const progress = bulk.getByRole('region', { name: 'Campaign progress' });
      await progress.getByText('2 of 2 numbers done').waitFor({ timeout: 30_000 });
      await progress.getByText('Finished: every number has been called').waitFor({ timeout: 30_000 });

      // Only the two deals of the stage were called.
      const c = await e.h.app.db.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 AND name LIKE '%by filter%'`, [tenantId]);
      expect(c.rows).toHaveLength(1);
      const phones = await e.h.app.db.query<{ phone: string }>('SELECT phone FROM campaign_numbers WHERE campaign_id = $1 ORDER BY phone', [c.rows[0]!.id]);
      expect(phones.rows.map((r) => r.phone)).toEqual(['+79000000004', '+79000000007']);

      // …and the campaign is listed among the recent ones.
      const recent = app.getByRole('region', { name: 'Recent campaigns' });
      await recent.getByRole('row').filter({ hasText: 'Qualify a lead: deals by filter from Bitrix24' }).filter({ hasText: '2 / 2' }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('leads are filtered by status', async () => {
    portal.addLead({ title: 'Fresh lead', name: 'Fedor', phones: ['+79000000004'], status: 'IN_PROCESS' });
    const { page, app } = await openInPortal(e.browser, portal);
    try {
      const bulk = app.getByRole('region', { name: 'Bulk call by filter' });
      await bulk.getByRole('radio', { name: 'Leads' }).check();
      await bulk.getByLabel('Lead status').locator('option', { hasText: 'In progress' }).waitFor({ state: 'attached' });
      expect(await bulk.getByLabel('Pipeline').isVisible()).toBe(false);
      await bulk.getByLabel('Lead status').selectOption({ label: 'In progress' });
      await bulk.getByText('Matching leads: 1').waitFor();
    } finally {
      await page.close();
    }
  });

  it('a manager sees why the portal needs re-authorisation, and no bulk form', async () => {
    const other = await installedPortal(e.h, 'en');
    await markNeedsReauth(e.h.app, other.tenantId, 'refresh_rejected', 'e2e');
    const manager = other.portal.addUser({ name: 'Mia', lastName: 'Manager', admin: false });
    const { page, app } = await openInPortal(e.browser, other.portal, { userId: manager.id });
    try {
      const alert = app.getByRole('alert');
      const text = await visibleText(alert);
      expect(text).toContain('Needs re-authorisation:');
      expect(text).toContain('An administrator should open the Dozvon app once');
      await app.getByText('Signed in as Mia Manager.').waitFor();
      await app.getByText('Bulk calls by filter are started by portal administrators.').waitFor();
      expect(await app.getByRole('button', { name: 'Start calling' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
