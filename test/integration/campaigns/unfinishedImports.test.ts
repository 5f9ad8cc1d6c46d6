import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardStaleImports, importsRunningHere } from '../../../src/engine/campaigns/unfinishedImports.js';
import { newId } from '../../../src/store/ids.js';
import { beginImport } from '../../../src/store/repositories/campaignImports.js';
import { insertContacts } from '../../../src/store/repositories/numbers.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate } from '../../support/campaigns.js';

/**
 * A clients file is stored batch by batch; an import whose process died half-way leaves contacts
 * nobody may dial. They are removed (their numbers with them) and the campaign dials again; an
 * import still running — in this process, or on PostgreSQL in another one still heard from — is left.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const contact = (phone: string) => {
  const now = new Date();
  return { id: newId(), externalId: null, variables: {}, crm: null, numbers: [{ id: newId(), phone, position: 0, zoneKey: '', readyAt: now, nextAttemptAt: now, dueUntil: null }] };
};

/**
 * A campaign holding one contact of its own and two stored by an import that began `minutesAgo` and
 * was not heard of since. The import counts as running here until the test lets go of it (the
 * server's own sweep runs meanwhile, every few seconds).
 */
async function campaignWithImport(minutesAgo: number, prefix: string) {
  const app = t.dozvon.app;
  const campaign = await makeCampaign(app, t.tenantId, await makeTemplate(app, t.tenantId), {}, [`${prefix}0`], { startAt: new Date(Date.now() + 3600_000) });
  const importId = newId();
  importsRunningHere.add(importId);
  expect(await beginImport(app.db, { id: importId, campaignId: campaign.id, tenantId: t.tenantId, now: new Date(Date.now() - minutesAgo * 60_000) })).toBe(true);
  await insertContacts(app.db, campaign.id, t.tenantId, [contact(`${prefix}1`), contact(`${prefix}2`)], importId);
  return { campaignId: campaign.id, importId };
}

const phonesOf = async (campaignId: string) =>
  (await t.dozvon.app.db.query<{ phone: string }>('SELECT phone FROM campaign_numbers WHERE campaign_id = $1 ORDER BY phone', [campaignId])).rows.map((r) => r.phone);
const importsOf = async (campaignId: string) =>
  Number((await t.dozvon.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaign_imports WHERE campaign_id = $1', [campaignId])).rows[0]!.n);

describe('what an unfinished import stored', () => {
  it('is removed once its process is gone; the rest of the campaign stays', async () => {
    const dead = await campaignWithImport(60, '+7916125000');
    expect(await phonesOf(dead.campaignId)).toEqual(['+79161250000', '+79161250001', '+79161250002']);
    importsRunningHere.delete(dead.importId);
    await discardStaleImports(t.dozvon.app);
    expect(await phonesOf(dead.campaignId)).toEqual(['+79161250000']);
    expect(await importsOf(dead.campaignId)).toBe(0);
    const contacts = await t.dozvon.app.db.query('SELECT id FROM campaign_contacts WHERE campaign_id = $1', [dead.campaignId]);
    expect(contacts.rows).toHaveLength(1);
  });

  it('is kept while its import runs here, and on PostgreSQL while another process is still heard from', async () => {
    const running = await campaignWithImport(60, '+7916125100');
    await discardStaleImports(t.dozvon.app);
    expect(await phonesOf(running.campaignId)).toHaveLength(3);
    importsRunningHere.delete(running.importId);

    const elsewhere = await campaignWithImport(1, '+7916125200');
    importsRunningHere.delete(elsewhere.importId);
    // PGlite has one process: an import it is not running itself cannot be alive.
    const pglite = t.dozvon.app.db.kind === 'pglite';
    await discardStaleImports(t.dozvon.app);
    expect(await phonesOf(elsewhere.campaignId)).toHaveLength(pglite ? 1 : 3);
    expect(await phonesOf(running.campaignId)).toHaveLength(1);
  });
});
