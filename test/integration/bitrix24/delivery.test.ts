import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { bitrix24Of } from '../../../src/crm/bitrix24/index.js';
import { updatePortalRateLimit } from '../../../src/crm/bitrix24/portalSettings.js';
import { b24Jobs, settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/**
 * C7: writes go through the outbox and survive what portals do under load — 503
 * QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT, 500s, HTML error pages — without writing a
 * timeline entry twice; a stale event token is final, not retried forever.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let code: string;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal();
  tenantId = await h.install(portal);
  code = portal.robots()[0]!.code;
});
afterAll(async () => h?.stop());

const newDeal = (phone: string) => portal.addDeal({ title: phone, contactIds: [portal.addContact({ name: 'Anna', phones: [phone] })] });

describe('a workflow that stopped waiting', () => {
  it('its return job is dead after one try (403 ACCESS_DENIED), the timeline is still written', async () => {
    const deal = newDeal('+79000000002');
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } });
    wf.terminate(); // a user stops the workflow before the call is done
    await waitFor('the return job', async () => (await b24Jobs(h.app, tenantId)).find((j) => j.kind === 'robot.return' && j.status !== 'pending'), 30_000);
    await settleOutbox(h.app, tenantId);
    const ret = (await b24Jobs(h.app, tenantId)).find((j) => j.kind === 'robot.return')!;
    expect(ret).toMatchObject({ status: 'dead' });
    expect(ret.last_error).toContain('stale event token');
    // Sent once: the refusal is final, never retried.
    expect(portal.calls('bizproc.event.send').map((c) => c.error)).toEqual(['ACCESS_DENIED']);
    expect(portal.timeline('deal', deal).filter((e) => e.kind === 'comment')).toHaveLength(1);
    const run = await h.app.db.query<{ status: string }>(`SELECT status FROM b24_robot_runs WHERE document = $1`, [`DEAL_${deal}`]);
    expect(run.rows[0]?.status).toBe('failed');
  });
});

describe('a portal under load', () => {
  it('503, 429, 500 and an HTML error page are retried; every entry lands exactly once', async () => {
    portal.failNext('crm.timeline.comment.add', { status: 503, error: 'QUERY_LIMIT_EXCEEDED', description: 'Too many requests', times: 2 });
    portal.failNext('telephony.externalcall.register', { status: 429, error: 'OPERATION_TIME_LIMIT', description: 'Method is blocked due to operation time limit.' });
    portal.failNext('telephony.externalcall.finish', { status: 500, error: 'INTERNAL_SERVER_ERROR' });
    portal.failNext('bizproc.event.send', { status: 502, body: '<html><body>502 Bad Gateway</body></html>' });
    const deal = newDeal('+79000000004');
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } });
    expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    expect(wf.returnValues).toMatchObject({ outcome: 'human', result: 'interested' });

    const timeline = portal.timeline('deal', deal);
    expect(timeline.filter((e) => e.kind === 'comment')).toHaveLength(1);
    expect(timeline.filter((e) => e.kind === 'activity')).toHaveLength(1);
    const forDeal = portal.calls('crm.timeline.comment.add').filter((c) => c.status === 200 && Number((c.params.fields as { ENTITY_ID: string }).ENTITY_ID) === deal);
    expect(forDeal).toHaveLength(1);
    // The faults were really met, then retried.
    expect(portal.calls('crm.timeline.comment.add').filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED')).toHaveLength(2);
    expect(portal.calls('telephony.externalcall.register').filter((c) => c.error === 'OPERATION_TIME_LIMIT')).toHaveLength(1);
    expect(portal.calls('telephony.externalcall.register').filter((c) => c.status === 200 && c.params.EXTERNAL_CALL_ID !== undefined && JSON.stringify(c.params).includes('+79000000004'))).toHaveLength(1);
    expect(portal.calls('telephony.externalcall.finish').filter((c) => c.status === 200)).toHaveLength(2); // the first deal's and this one
    expect(portal.calls('bizproc.event.send').filter((c) => c.status === 200)).toHaveLength(1);
  }, 60_000);

  it('paces requests under the portal\'s leaky bucket: a burst of robot runs never meets a 503', async () => {
    portal.clearFaults();
    // A small bucket, known to Dozvon as the portal's limit (as for a portal sharing its IP).
    portal.setRateLimit({ drainPerSecond: 2, burst: 5 });
    await updatePortalRateLimit(bitrix24Of(h.app)!, tenantId, 2, 5);
    const since = portal.calls().at(-1)?.seq ?? 0;
    const deals = Array.from({ length: 12 }, (_, i) => newDeal(`+7901${String(i).padStart(3, '0')}0004`));
    const flows = await Promise.all(deals.map((d) => portal.runRobot({ code, document: `DEAL_${d}`, properties: { max_attempts: '1' } })));
    for (const wf of flows) expect(await wf.settled(90_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    const mine = portal.calls().filter((c) => c.seq > since);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED')).toHaveLength(0);
    for (const d of deals) expect(portal.timeline('deal', d).filter((e) => e.kind === 'comment')).toHaveLength(1);
    // Writes of different runs shared requests: far fewer requests than commands.
    const requests = mine.filter((c) => c.batch === null).length;
    const commands = mine.filter((c) => c.method !== 'batch').length;
    expect(requests).toBeLessThan(commands / 2);
  }, 120_000);
});
