import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStarter } from '../../../src/engine/seedStarter.js';
import { newId } from '../../../src/store/ids.js';
import { upsertTenant } from '../../../src/store/repositories/tenants.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate } from '../../support/campaigns.js';

/**
 * Migration 0061 replaced five single-column references of contacts and numbers by two composite
 * ones (cheaper for an import, which pays one trigger per reference and row). What they guard must
 * hold as before, and more: a number belongs to its contact's campaign and tenant, a contact to a
 * campaign of its own tenant; removing a campaign or a tenant removes its contacts and numbers.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

/**
 * Campaigns here start in an hour, so their numbers stay queued: a running one is dialled meanwhile,
 * and on PostgreSQL deleting its tenant could deadlock with the dispatcher's claim (CI met it once).
 */
const later = () => ({ startAt: new Date(Date.now() + 3600_000) });

async function campaignOfNewTenant(name: string) {
  const app = t.dozvon.app;
  const { tenant } = await upsertTenant(app.db, { kind: 'bitrix24', externalId: `${name}.bitrix24.ru`, name, locale: 'en' });
  const seeded = await seedStarter(app, tenant.id, 'en');
  const campaign = await makeCampaign(app, tenant.id, seeded!.templateId, {}, ['+79161234567', ['+79161234568', '+79161234569']], later());
  return { tenantId: tenant.id, campaign };
}

const count = async (table: string, campaignId: string) =>
  Number((await t.dozvon.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE campaign_id = $1`, [campaignId])).rows[0]!.n);

describe('contacts and numbers stay tied to their campaign and tenant', () => {
  it("refuses a number on another campaign's contact, and a contact under another tenant's campaign", async () => {
    const app = t.dozvon.app;
    const a = await makeCampaign(app, t.tenantId, await makeTemplate(app, t.tenantId), {}, ['+79161230001'], later());
    const b = await makeCampaign(app, t.tenantId, await makeTemplate(app, t.tenantId), {}, ['+79161230002'], later());
    const contactOfB = (await app.db.query<{ id: string }>('SELECT id FROM campaign_contacts WHERE campaign_id = $1', [b.id])).rows[0]!.id;
    await expect(
      app.db.query(
        `INSERT INTO campaign_numbers (id, campaign_id, tenant_id, contact_id, phone, ready_at, next_attempt_at) VALUES ($1, $2, $3, $4, '+79161230003', now(), now())`,
        [newId(), a.id, t.tenantId, contactOfB],
      ),
    ).rejects.toThrow(/campaign_numbers_contact_fkey/);

    const other = await campaignOfNewTenant('fk-other');
    await expect(
      app.db.query(`INSERT INTO campaign_contacts (id, campaign_id, tenant_id) VALUES ($1, $2, $3)`, [newId(), a.id, other.tenantId]),
    ).rejects.toThrow(/campaign_contacts_campaign_fkey/);
    expect(await count('campaign_numbers', a.id)).toBe(1);
  });

  it('removing a campaign removes its contacts and numbers; removing a tenant removes all of its own', async () => {
    const app = t.dozvon.app;
    const first = await campaignOfNewTenant('fk-gone');
    expect(await count('campaign_contacts', first.campaign.id)).toBe(2);
    expect(await count('campaign_numbers', first.campaign.id)).toBe(3);
    await app.db.query('DELETE FROM campaigns WHERE id = $1', [first.campaign.id]);
    expect(await count('campaign_contacts', first.campaign.id)).toBe(0);
    expect(await count('campaign_numbers', first.campaign.id)).toBe(0);

    const second = await campaignOfNewTenant('fk-uninstalled');
    const kept = await makeCampaign(app, t.tenantId, await makeTemplate(app, t.tenantId), {}, ['+79161230009'], later());
    await app.db.query('DELETE FROM tenants WHERE id = $1', [second.tenantId]);
    expect(await count('campaign_contacts', second.campaign.id)).toBe(0);
    expect(await count('campaign_numbers', second.campaign.id)).toBe(0);
    expect(await count('campaign_numbers', kept.id)).toBe(1);
  });
});
