import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactFinished } from '../../../src/context.js';
import { finishContactIfDone } from '../../../src/engine/campaigns/finishContact.js';
import { withTransaction } from '../../../src/store/db.js';
import { newId } from '../../../src/store/ids.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate } from '../../support/campaigns.js';

/**
 * A client is finished once none of its phones is open: reached if one was answered, cancelled if
 * every one was cancelled, unreached otherwise; it keeps the first result its calls set, and the
 * finish hooks (CRM robots, pipeline campaigns) hear of it once.
 */
let t: TestApp;
const finished: ContactFinished[] = [];
beforeAll(async () => {
  t = await startTestApp();
  t.dozvon.app.hooks.contactFinished.push(async (_tx, f) => void finished.push(f));
});
afterAll(async () => {
  await t.stop();
});

/** A client with these phones in a campaign that starts in an hour (nothing is dialled meanwhile). */
async function client(phones: string[]) {
  const app = t.dozvon.app;
  const campaign = await makeCampaign(app, t.tenantId, await makeTemplate(app, t.tenantId), {}, [phones], { startAt: new Date(Date.now() + 3600_000) });
  const numbers = await app.db.query<{ id: string; contact_id: string; phone: string }>(
    'SELECT id, contact_id, phone FROM campaign_numbers WHERE campaign_id = $1 ORDER BY position',
    [campaign.id],
  );
  return { campaign, contactId: numbers.rows[0]!.contact_id, numberIds: numbers.rows.map((r) => r.id) };
}

const setStatus = (numberId: string, status: string) => t.dozvon.app.db.query('UPDATE campaign_numbers SET status = $2 WHERE id = $1', [numberId, status]);

/** A completed call of the number, `secondsAgo` old, with the result its dialogue set. */
async function completedCall(numberId: string, result: string | null, secondsAgo: number) {
  await t.dozvon.app.db.query(
    `INSERT INTO attempts (id, tenant_id, kind, campaign_id, number_id, contact_id, attempt_no, phone, template_id, template_version_id,
       scenario_version_id, platform, status, outcome, result, created_at)
     SELECT $1, n.tenant_id, 'campaign', n.campaign_id, n.id, n.contact_id, 1, n.phone, c.template_id, v.id, sv.id, 'sandbox',
       'completed', 'human', $3, now() - make_interval(secs => $4)
     FROM campaign_numbers n JOIN campaigns c ON c.id = n.campaign_id
     JOIN templates t ON t.id = c.template_id JOIN template_versions v ON v.template_id = t.id AND v.version = t.current_version
     JOIN scenarios s ON s.id = (v.settings ->> 'scenarioId')::uuid
     JOIN scenario_versions sv ON sv.scenario_id = s.id AND sv.version = s.current_version
     WHERE n.id = $2`,
    [newId(), numberId, result, secondsAgo],
  );
}

const finish = (contactId: string) => withTransaction(t.dozvon.app.db, (tx) => finishContactIfDone(t.dozvon.app, tx, contactId));

const contact = async (id: string) =>
  (await t.dozvon.app.db.query<{ status: string; result: string | null; finished_at: Date | null }>('SELECT status, result, finished_at FROM campaign_contacts WHERE id = $1', [id]))
    .rows[0]!;

describe('a client is finished when none of its phones is open', () => {
  it('stays open while a phone is still to be called, then is reached with the first result its calls set', async () => {
    const c = await client(['+79161240001', '+79161240002']);
    await setStatus(c.numberIds[0]!, 'not_answered');
    await completedCall(c.numberIds[0]!, null, 30);
    await setStatus(c.numberIds[1]!, 'dialing');
    await finish(c.contactId);
    expect(await contact(c.contactId)).toMatchObject({ status: 'open', result: null, finished_at: null });
    expect(finished.filter((f) => f.contactId === c.contactId)).toHaveLength(0);

    await completedCall(c.numberIds[1]!, 'interested', 20);
    await completedCall(c.numberIds[1]!, 'call_later', 10);
    await setStatus(c.numberIds[1]!, 'answered');
    await finish(c.contactId);
    expect(await contact(c.contactId)).toMatchObject({ status: 'reached', result: 'interested' });
    expect((await contact(c.contactId)).finished_at).toBeInstanceOf(Date);
    expect(finished.filter((f) => f.contactId === c.contactId)).toEqual([
      { tenantId: t.tenantId, campaignId: c.campaign.id, contactId: c.contactId, status: 'reached', crm: null },
    ]);

    // Finished once: a late second completion changes nothing and tells nobody again.
    await finish(c.contactId);
    expect(finished.filter((f) => f.contactId === c.contactId)).toHaveLength(1);
  });

  it('is cancelled when every phone was cancelled, unreached when any was tried without an answer', async () => {
    const cancelled = await client(['+79161240011', '+79161240012']);
    for (const id of cancelled.numberIds) await setStatus(id, 'cancelled');
    await finish(cancelled.contactId);
    expect(await contact(cancelled.contactId)).toMatchObject({ status: 'cancelled', result: null });

    const unreached = await client(['+79161240021', '+79161240022']);
    await setStatus(unreached.numberIds[0]!, 'cancelled');
    await setStatus(unreached.numberIds[1]!, 'not_answered');
    await finish(unreached.contactId);
    expect(await contact(unreached.contactId)).toMatchObject({ status: 'unreached', result: null });
    expect(finished.filter((f) => f.contactId === unreached.contactId).map((f) => f.status)).toEqual(['unreached']);
  });
});
