import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { dealWithPhone, installedPortal, openInPortal, startE2e, visibleText, UI_TIMEOUT, type E2e } from './support.js';

/**
 * "Call with voice bot" in the deal list menu: the rows the portal passes in PLACEMENT_OPTIONS.ID,
 * a template and calls per number, Start → one campaign calling every chosen deal, its progress by
 * number status, and Close (the portal's closeApplication).
 */
let e: E2e;
let portal: Portal;
let tenantId: string;
let dealA: number;
let dealB: number;

beforeAll(async () => {
  e = await startE2e();
  ({ portal, tenantId } = await installedPortal(e.h, 'en'));
  dealA = dealWithPhone(portal, 'Anna wants a tariff', '+79000000004');
  dealB = dealWithPhone(portal, 'Boris is undecided', '+79000000007');
});
afterAll(async () => {
  await e?.stop();
});

async function campaignsOfPortal(): Promise<{ id: string; name: string }[]> {
  return (await e.h.app.db.query<{ id: string; name: string }>('SELECT id, name FROM campaigns WHERE tenant_id = $1 ORDER BY created_at', [tenantId])).rows;
}

describe('deal list menu', () => {
  it('starts one campaign calling both chosen deals and shows its progress until done', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: { ID: [String(dealA), String(dealB)] } });
    try {
      expect(await visibleText(app.getByRole('heading', { name: 'Call with voice bot' }))).toBe('Call with voice bot');
      expect(await visibleText(app.getByText('Selected deals: 2'))).toBe('Selected deals: 2');
      // The rows' titles come from the portal through B24Frame, with the user's own rights.
      await app.getByRole('listitem').filter({ hasText: 'Anna wants a tariff' }).waitFor();
      await app.getByRole('listitem').filter({ hasText: 'Boris is undecided' }).waitFor();

      await app.getByLabel('Template').selectOption({ label: 'Qualify a lead' });
      await app.getByLabel('Calls per number').fill('1');
      expect(await campaignsOfPortal()).toHaveLength(0);
      await app.getByRole('button', { name: 'Start calling' }).click();

      await app.getByRole('status').filter({ hasText: 'Campaign “Qualify a lead: 2 deals from Bitrix24” started.' }).waitFor();
      const progress = app.getByRole('region', { name: 'Campaign progress' });
      await progress.getByText('2 of 2 numbers done').waitFor({ timeout: 30_000 });
      await app.getByRole('status').filter({ hasText: 'All calls of this campaign are finished.' }).waitFor({ timeout: 30_000 });
      const text = await progress.innerText();
      expect(text).toContain('Qualify a lead: 2 deals from Bitrix24');
      expect(text).toMatch(/Answered:?\s*2/);
      expect(text).toContain('Finished');

      // One campaign, both deals' phones, one call each.
      const campaigns = await campaignsOfPortal();
      expect(campaigns).toHaveLength(1);
      const numbers = await e.h.app.db.query<{ phone: string; attempts_made: number }>('SELECT phone, attempts_made FROM campaign_numbers WHERE campaign_id = $1 ORDER BY phone', [campaigns[0]!.id]);
      expect(numbers.rows).toEqual([
        { phone: '+79000000004', attempts_made: 1 },
        { phone: '+79000000007', attempts_made: 1 },
      ]);

      await app.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => portal.frameMessages('closeApplication').length, { timeout: UI_TIMEOUT }).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('a single row (as Bitrix24 documents: {"ID":"8061"}) works the same way', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: { ID: String(dealB), URI: '/crm/deal/list/' } });
    try {
      await app.getByText('Selected deals: 1').waitFor();
      await app.getByRole('listitem').filter({ hasText: 'Boris is undecided' }).waitFor();
      await app.getByRole('button', { name: 'Start calling' }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('an invalid "calls per number" is explained and nothing starts', async () => {
    const before = (await campaignsOfPortal()).length;
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: { ID: [String(dealA)] } });
    try {
      await app.getByLabel('Calls per number').fill('500');
      await app.getByRole('button', { name: 'Start calling' }).click();
      await app.getByRole('status').filter({ hasText: 'At most this many calls to each number' }).waitFor();
      expect(await app.getByLabel('Calls per number').getAttribute('aria-invalid')).toBe('true');
      expect((await campaignsOfPortal()).length).toBe(before);
    } finally {
      await page.close();
    }
  });

  it('a user whose role shows only their own deals: the others are named as not called, only theirs is called', async () => {
    const seller = portal.addUser({ name: 'Sam', crmAccess: { deal: 'own' } }).id;
    const own = portal.addDeal({ title: 'Sam\'s deal', assignedById: seller, contactIds: [portal.addContact({ name: 'Sveta', phones: ['+79001000004'] })] });
    const before = (await campaignsOfPortal()).length;
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: { ID: [String(own), String(dealA)] }, userId: seller });
    try {
      await app.getByText('Selected deals: 2').waitFor();
      await app.getByLabel('Calls per number').fill('1');
      await app.getByRole('button', { name: 'Start calling' }).click();
      await app.getByRole('status').filter({ hasText: 'Not called: 1 of the chosen rows' }).waitFor();
      const campaigns = await campaignsOfPortal();
      expect(campaigns).toHaveLength(before + 1);
      await expect
        .poll(async () => (await e.h.app.db.query<{ phone: string }>('SELECT phone FROM campaign_numbers WHERE campaign_id = $1', [campaigns.at(-1)!.id])).rows.map((r) => r.phone), { timeout: UI_TIMEOUT })
        .toEqual(['+79001000004']);
    } finally {
      await page.close();
    }
  });

  it('without rows it says what to do instead of showing an empty form', async () => {
    const { page, app } = await openInPortal(e.browser, portal, { placement: 'CRM_DEAL_LIST_MENU', placementOptions: {} });
    try {
      expect(await visibleText(app.getByRole('alert'))).toContain('Select rows in the list and try again.');
      await app.getByRole('button', { name: 'Close' }).waitFor();
    } finally {
      await page.close();
    }
  });
});
