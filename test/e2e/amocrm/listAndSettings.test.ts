import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSettings } from '../../../src/crm/amocrm/accountSettings.js';
import { markNeedsReauth } from '../../../src/crm/amocrm/accountStatus.js';
import { amocrmOf } from '../../../src/crm/index.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { settleAmo, waitFor } from '../../integration/amocrm/support.js';
import { installedAccount, openArea, startAmoE2e, UI_TIMEOUT, type AmoE2e } from './support.js';

/**
 * The list's mass action (a confirmation that counts the phones, then the campaign's progress),
 * the settings modal (connection, fields, Reconnect through amoCRM's OAuth popup), the Digital
 * Pipeline action form (template list, the key filled in and hidden). The advanced settings page
 * (the web console) is in ./console.test.ts.
 */
let e: AmoE2e;
beforeAll(async () => {
  e = await startAmoE2e();
});
afterAll(async () => e?.stop());

describe('the lead list', () => {
  it('the mass action says how many phones will be called, then calls them', async () => {
    const { account, tenantId } = await installedAccount(e, { lang: 'en' });
    const a = account.addLead({ name: 'Two phones', contacts: [account.addContact({ name: 'Ann', phones: ['+79000000001', '+79000000011'] })] });
    const b = account.addLeadWithPhones('One phone', ['+79000000021']);
    const c = account.addLead({ name: 'No phone', contacts: [account.addContact({ name: 'Ghost' })] });
    const page = await openArea(e, account, { area: 'llist', selected: [a, b, c], lang: 'en' });
    try {
      await page.getByRole('button', { name: 'Dozvon' }).click();
      const dialog = page.getByRole('dialog', { name: 'Call the selected leads with a voice bot' });
      await expect.poll(() => dialog.getByRole('status').first().innerText(), { timeout: UI_TIMEOUT }).toBe('3 leads selected: 3 phone numbers will be called, 1 leads have no phone.');
      await dialog.getByRole('spinbutton', { name: 'Calls per number' }).fill('1');
      await dialog.getByRole('button', { name: 'Start calling' }).click();
      await expect.poll(() => dialog.getByRole('status').last().innerText(), { timeout: 60_000 }).toMatch(/completed · Numbers: 3 of 3 done/);
      await settleAmo(e.h.app, tenantId);
      expect(account.notes(a, 'call_out')).toHaveLength(2);
      expect(account.notes(b, 'call_out')).toHaveLength(1);
      expect(account.notes(c)).toHaveLength(0);
    } finally {
      await page.close();
    }
  });
});

describe('the settings', () => {
  it('shows the connection and templates; an administrator chooses the fields and saves them', async () => {
    const { account, tenantId } = await installedAccount(e, { lang: 'en' });
    const result = account.addField({ name: 'Bot result', type: 'text' });
    account.addField({ name: 'A number', type: 'numeric' });
    const page = await openArea(e, account, { area: 'settings', lang: 'en' });
    try {
      const modal = page.getByRole('dialog', { name: 'Widget settings' });
      await modal.getByText(`Connected to Acme ${account.id}.`).waitFor();
      await expect.poll(() => modal.getByRole('listitem').count(), { timeout: UI_TIMEOUT }).toBe(1);
      const field = modal.getByRole('combobox', { name: 'Result of the call' });
      // Only fields of a type that can take the value are offered.
      // The fields arrive after the connection line; wait for them rather than read an empty list.
      await expect.poll(() => field.locator('option').allTextContents(), { timeout: UI_TIMEOUT }).toEqual(['— do not write —', 'Bot result']);
      await field.selectOption(String(result));
      await modal.getByRole('textbox', { name: 'E-mails for alerts (comma-separated)' }).fill('ops@example.com, boss@example.com');
      await modal.getByRole('button', { name: 'Save' }).first().click();
      await modal.getByText('Saved.').waitFor();
      expect(await accountSettings(e.h.app.db, tenantId)).toMatchObject({ fields: { result: { fieldId: result } }, notifyEmails: ['ops@example.com', 'boss@example.com'] });
      // A bad address comes back in words, and nothing changes.
      await modal.getByRole('textbox', { name: 'E-mails for alerts (comma-separated)' }).fill('not-an-address');
      await modal.getByRole('button', { name: 'Save' }).first().click();
      await expect.poll(() => modal.locator('.dozvon-status--error').innerText(), { timeout: UI_TIMEOUT }).toContain('Must be an e-mail address.');
      expect((await accountSettings(e.h.app.db, tenantId)).notifyEmails).toEqual(['ops@example.com', 'boss@example.com']);
    } finally {
      await page.close();
    }
  });

  it('a manager sees the connection but not the administrators\' settings', async () => {
    const { account } = await installedAccount(e, { lang: 'en' });
    const manager = account.addUser({ name: 'Manager' });
    const page = await openArea(e, account, { area: 'settings', user: manager, lang: 'en' });
    try {
      await page.getByText('Only account administrators can change these settings.').waitFor();
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(1); // amoCRM's own modal button only
    } finally {
      await page.close();
    }
  });

  it('Reconnect renews a connection that must be renewed, through amoCRM\'s OAuth popup', async () => {
    const { account, tenantId } = await installedAccount(e, { lang: 'en' });
    await markNeedsReauth(amocrmOf(e.h.app)!.ctx, tenantId, 'test');
    const page = await openArea(e, account, { area: 'settings', lang: 'en' });
    try {
      await page.getByText('The connection must be renewed: press Reconnect.').waitFor();
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Reconnect' }).click()]);
      await popup.getByRole('heading', { name: 'Dozvon is connected' }).waitFor({ timeout: UI_TIMEOUT });
      await waitFor('active again', async () => (await findTenant(e.h.app.db, tenantId))?.status === 'active');
      await popup.close();
    } finally {
      await page.close();
    }
  });
});

describe('Digital Pipeline', () => {
  it('the action form lists the templates and fills in the account key; the saved trigger calls the lead', async () => {
    const { account, tenantId } = await installedAccount(e, { lang: 'en' });
    const page = await openArea(e, account, { area: 'digital_pipeline', lang: 'en' });
    try {
      const form = page.getByRole('form', { name: 'Digital Pipeline action' });
      const select = form.getByRole('combobox', { name: 'Template' });
      await expect.poll(() => select.locator('option').count(), { timeout: UI_TIMEOUT }).toBe(1);
      await expect.poll(() => form.locator('input[name="dp_key"]').inputValue(), { timeout: UI_TIMEOUT }).toMatch(/^[\w-]{20,}$/);
      expect(await form.locator('input[name="dp_key"]').isVisible()).toBe(false);
      expect(await form.locator('input[name="template_id"]').inputValue()).toBe(await select.inputValue());
      await form.getByRole('textbox', { name: 'Calls per number' }).fill('1');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByText('Saved').waitFor();
    } finally {
      await page.close();
    }
    const settings = account.dpSettings(e.h.integration.clientId)!;
    const lead = account.addLeadWithPhones('Pipeline', ['+79000000004']);
    const hook = await account.fireDp(e.h.integration.clientId, { leadId: lead, settings });
    expect(hook.status).toBe(202);
    await waitFor('the note', () => account.notes(lead, 'call_out')[0], 30_000);
    await settleAmo(e.h.app, tenantId);
  });
});
