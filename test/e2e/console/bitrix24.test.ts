import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markNeedsReauth } from '../../../src/crm/bitrix24/tokens/reauth.js';
import { initI18n, t } from '../../../src/i18n.js';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { dealWithPhone, installedPortal, openInPortal, startE2e, type E2e } from '../bitrix24/support.js';
import { ensureConsoleBuilt, snap, watch } from './support.js';

/**
 * The console as the Bitrix24 app's page, inside the emulated portal's frame: signed in by the
 * portal (no password) as the portal user — an administrator gets the administrator's screens and
 * the call by filter (pipelines and stages read from the portal with the user's rights, the
 * campaign followed to its end); a manager gets none of them, and sees why the portal needs to be
 * authorised again.
 */
let e: E2e;
let portal: Portal;
let tenantId: string;
const T = (key: string, params: Record<string, unknown> = {}) => t('en', key, params);

beforeAll(async () => {
  initI18n();
  await ensureConsoleBuilt();
  e = await startE2e();
  ({ portal, tenantId } = await installedPortal(e.h, 'en'));
  dealWithPhone(portal, 'Anna in preparation', '+79000000004', 'PREPARATION');
  dealWithPhone(portal, 'Boris in preparation', '+79000000007', 'PREPARATION');
  dealWithPhone(portal, 'Nina is new', '+79000000001', 'NEW');
}, 300_000);
afterAll(async () => {
  await e?.stop();
});

describe('the console inside Bitrix24', () => {
  it('a portal administrator is signed in as an administrator of the portal’s account and calls deals of one stage', { timeout: 180_000 }, async () => {
    const { page, app } = await openInPortal(e.browser, portal);
    const log = watch(page);
    try {
      const nav = app.getByRole('navigation', { name: T('console.nav.label') });
      await nav.getByRole('link', { name: T('console.nav.bitrix24') }).waitFor();
      await nav.getByRole('link', { name: T('console.nav.integrations') }).waitFor();
      await app.getByTestId('calls-today').waitFor();
      // The frame was asked to be tall enough for the console.
      await expect.poll(() => portal.frameMessages('resizeWindow').length).toBeGreaterThan(0);
      await snap(page, 'bitrix24', '01-dashboard');

      // The portal's own templates (its tenant), the robot's name beside.
      await nav.getByRole('link', { name: T('console.nav.templates') }).click();
      await app.getByRole('link', { name: 'Qualify a lead' }).waitFor();

      await nav.getByRole('link', { name: T('console.nav.bitrix24') }).click();
      await app.getByText(T('console.b24.connected', { domain: portal.domain })).waitFor();
      const bulk = app.getByRole('region', { name: T('console.b24.bulk') });
      await bulk.getByLabel(T('console.b24.stage'), { exact: true }).click();
      await app.getByRole('option', { name: 'Document preparation' }).click();
      await bulk.getByText(T('console.b24.matching_deal', { n: 2 })).waitFor();
      await snap(page, 'bitrix24', '02-call-by-filter');
      await bulk.getByRole('button', { name: T('console.b24.start') }).click();

      // The campaign's page follows it to its end, live.
      await app.getByText(T('console.campaign_status.completed'), { exact: true }).first().waitFor({ timeout: 90_000 });
      await app.getByText(T('console.progress.done_of', { done: 2, total: 2 })).first().waitFor();
      await snap(page, 'bitrix24', '03-campaign');
      const c = await e.h.app.db.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 AND name LIKE '%by filter%'`, [tenantId]);
      expect(c.rows).toHaveLength(1);
      const phones = await e.h.app.db.query<{ phone: string }>('SELECT phone FROM campaign_numbers WHERE campaign_id = $1 ORDER BY phone', [c.rows[0]!.id]);
      expect(phones.rows.map((r) => r.phone)).toEqual(['+79000000004', '+79000000007']);

      // Leads by status, counted by the portal.
      await nav.getByRole('link', { name: T('console.nav.bitrix24') }).click();
      portal.addLead({ title: 'Fresh lead', name: 'Fedor', phones: ['+79000000004'], status: 'IN_PROCESS' });
      await bulk.getByRole('radio', { name: T('console.b24.leads') }).click();
      await bulk.getByLabel(T('console.b24.lead_status'), { exact: true }).click();
      await app.getByRole('option', { name: 'In progress' }).click();
      await bulk.getByText(T('console.b24.matching_lead', { n: 1 })).waitFor();

      // The shadow account: the portal user, an administrator, no password.
      const users = await e.h.app.db.query<{ name: string; role: string; external_id: string; password_hash: string | null }>('SELECT name, role, external_id, password_hash FROM users WHERE tenant_id = $1', [tenantId]);
      expect(users.rows).toEqual([expect.objectContaining({ role: 'admin', external_id: 'bitrix24:1', password_hash: null })]);
      expect(log.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a manager sees no administrator screens, and why the portal needs to be authorised again', { timeout: 120_000 }, async () => {
    const other = await installedPortal(e.h, 'en');
    await markNeedsReauth(e.h.app, other.tenantId, 'refresh_rejected', 'e2e');
    const manager = other.portal.addUser({ name: 'Mia', lastName: 'Manager', admin: false });
    const { page, app } = await openInPortal(e.browser, other.portal, { userId: manager.id });
    const log = watch(page);
    try {
      const notice = app.getByTestId('crm-notice');
      await notice.waitFor();
      expect(await notice.innerText()).toContain('Needs re-authorisation:');
      const nav = app.getByRole('navigation', { name: T('console.nav.label') });
      await nav.getByRole('link', { name: T('console.nav.campaigns') }).waitFor();
      expect(await nav.getByRole('link', { name: T('console.nav.integrations') }).count()).toBe(0);
      await app.getByRole('button', { name: T('console.nav.user_menu', { name: 'Mia Manager' }) }).waitFor();
      // The dashboard's alert names the CRM and says how a Bitrix24 portal is renewed (not amoCRM's way).
      const alerts = app.getByRole('region', { name: T('console.dashboard.alerts') });
      await alerts.getByText(T('console.fix.crm_needs_reauth_bitrix24')).waitFor();
      expect(await alerts.innerText()).toContain(T('console.dashboard.alert_reauth_bitrix24', { name: '' }).split('“')[0]!.trim());
      await nav.getByRole('link', { name: T('console.nav.bitrix24') }).click();
      await app.getByText(T('console.b24.admin_only')).waitFor();
      expect(await app.getByRole('button', { name: T('console.b24.start') }).count()).toBe(0);
      await snap(page, 'bitrix24', '04-manager');
      expect(log.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
