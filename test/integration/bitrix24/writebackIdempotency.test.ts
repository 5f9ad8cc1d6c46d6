import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/**
 * A write-back whose answer is lost (issue 8 §4): the portal did the work, then a proxy answered
 * 504. The retry must not write the timeline comment or the workflow's log line a second time —
 * it finds the comment on the deal and knows the log line travelled with it — and must still
 * finish every other write (call record, recording, fields, the robot's return values).
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

const GATEWAY_TIMEOUT = '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>';

describe('a write-back whose answer is lost after the portal did the work', () => {
  it('writes the comment and the log line once; the other writes are finished', async () => {
    const contact = portal.addContact({ name: 'Irina', phones: ['+7 900 333-00-04'] });
    const deal = portal.addDeal({ title: 'Lost answer', contactIds: [contact], assignedById: 1 });
    // The batch that carries the comment runs on the portal, then its answer is lost.
    portal.failNext('batch', { status: 504, body: GATEWAY_TIMEOUT, afterRun: true, match: (p) => JSON.stringify(p).includes('crm.timeline.comment.add') });
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' }, timeoutDuration: 0 });
    expect(wf.delivery?.status).toBe(200);
    await waitFor('the robot to get its values', () => wf.status === 'completed', 60_000);
    await settleOutbox(h.app, tenantId, 60_000);

    // The fault really hit the write-back, and the retry looked for the comment.
    expect(portal.calls('batch').some((c) => c.status === 504)).toBe(true);
    expect(portal.calls('crm.timeline.comment.list')).toHaveLength(1);
    const comments = portal.timeline('deal', deal).filter((e) => e.kind === 'comment');
    expect(comments).toHaveLength(1);
    // One line per call, the last with the summary and the return values: none twice.
    expect(wf.logs.filter((l) => /call 1 to \+79003330004/.test(l))).toHaveLength(1);
    expect(new Set(wf.logs).size).toBe(wf.logs.length);
    const [call] = portal.externalCalls().filter((c) => c.phoneNumber === '+79003330004');
    expect(call).toMatchObject({ finished: true });
    expect(call!.record).not.toBeNull();
    expect(portal.calls('bizproc.event.send').filter((c) => c.status === 200)).toHaveLength(1);
  }, 120_000);

  it('a recording the portal could not download from us is attached on a later try', async () => {
    const contact = portal.addContact({ name: 'Oleg', phones: ['+7 900 333-01-04'] });
    const deal = portal.addDeal({ title: 'Download failed', contactIds: [contact], assignedById: 1 });
    // Our server did not answer the portal's download (a restart): Bitrix24 says ERROR_CORE, 400.
    portal.failNext('telephony.externalcall.attachRecord', { status: 400, error: 'ERROR_CORE', description: 'Could not download the record: fetch failed' });
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' }, timeoutDuration: 0 });
    expect(wf.delivery?.status).toBe(200);
    await waitFor('the robot to get its values', () => wf.status === 'completed', 60_000);
    await settleOutbox(h.app, tenantId, 60_000);
    expect(portal.calls('telephony.externalcall.attachRecord').some((c) => c.error === 'ERROR_CORE')).toBe(true);
    const [call] = portal.externalCalls().filter((c) => c.phoneNumber === '+79003330104');
    expect(call!.record).not.toBeNull();
    const dead = await h.app.db.query(`SELECT 1 FROM outbox WHERE tenant_id = $1 AND status = 'dead'`, [tenantId]);
    expect(dead.rows).toHaveLength(0);
  }, 120_000);
});
