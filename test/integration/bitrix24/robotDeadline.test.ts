import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import { completeCampaign } from '../../../src/engine/campaigns/lifecycle.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import type { Portal, Workflow } from '../../fakes/bitrix24/index.js';
import { b24Jobs, settleOutbox, sharedTime, startHarness, waitFor, type B24Harness, type SharedTime } from './support.js';
import { freshOutboxRound } from '../../support/workerRounds.js';

/**
 * Robots that answer before Bitrix24 stops waiting (issue 8, part 3). A robot call carries
 * `timeout_duration` (660 s here); an answer after it is dropped. Dozvon answers by the deadline
 * with a margin (at 600 s) with the latest outcome, the calls made so far and `final`, keeps
 * calling as the template says, logs each call to the workflow while it waits, and fires the app
 * triggers for the deal when the number is done.
 *
 * Dozvon runs on a manual clock and the emulator's clock is moved with it, so ten minutes and the
 * 15-minute redials of the starter template pass without waiting.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let code: string;
const clock = new ManualClock(Date.now());
const LONG = 120_000;
let time: SharedTime;

beforeAll(async () => {
  h = await startHarness({}, { clock });
  portal = await h.newPortal({ rateLimit: null });
  tenantId = await h.install(portal);
  code = portal.robots()[0]!.code;
  time = sharedTime(h, clock);
});
afterAll(async () => h?.stop());

/** Each test starts with both clocks at the same moment, so "660 s after the robot call" means the same to both. */
const syncClocks = () => time.sync();
const advance = (ms: number) => time.advance(ms);

/** How many times the newest robot answer's job ran. */
async function returnRuns(): Promise<number> {
  const r = await h.app.db.query<{ attempts: number }>(`SELECT attempts FROM outbox WHERE tenant_id = $1 AND kind = 'robot.return' ORDER BY created_at DESC LIMIT 1`, [tenantId]);
  return r.rows[0]!.attempts;
}

async function setReturnMode(mode: 'first_attempt' | 'final'): Promise<void> {
  const [tpl] = await listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId);
  await updateTemplate(h.app, tenantId, null, tpl!.id, { ...tpl!.body, crm: { bitrix24: { stageByResult: {}, leadStatusByResult: {}, robotReturn: mode } } });
}

const dealWith = (phone: string) => portal.addDeal({ title: phone, contactIds: [portal.addContact({ name: 'Client', phones: [phone] })] });

async function numberOf(deal: number): Promise<{ status: string; attempts_made: number; next_attempt_at: Date | null }> {
  const r = await h.app.db.query<{ status: string; attempts_made: number; next_attempt_at: Date | null }>(
    `SELECT n.status, n.attempts_made, n.next_attempt_at FROM campaign_numbers n JOIN campaign_contacts c ON c.id = n.contact_id WHERE c.external_id = $1 AND c.tenant_id = $2`,
    [`DEAL_${deal}`, tenantId],
  );
  return r.rows[0]!;
}

/** Waits until the deal's number has made `n` calls and is not being dialled. */
async function callsMade(deal: number, n: number): Promise<void> {
  await waitFor(`${n} calls to DEAL_${deal}`, async () => {
    const row = (await numberOf(deal).catch(() => undefined)) as Awaited<ReturnType<typeof numberOf>> | undefined;
    return row && row.attempts_made >= n && row.status !== 'dialing';
  }, 60_000);
}

/** Calls the redials of a busy number as they come due, until it is done. */
async function redialUntilDone(deal: number): Promise<number> {
  for (;;) {
    const n = await numberOf(deal);
    if (n.status !== 'callback' || !n.next_attempt_at) return n.attempts_made;
    advance(Math.max(0, n.next_attempt_at.getTime() - clock.now().getTime()) + 1000);
    await callsMade(deal, n.attempts_made + 1);
  }
}

const answered = (wf: Workflow) => time.answered(wf);

/** The outbox drained, time moving a second per poll (see `answered`). */
const settle = () => settleOutbox(h.app, tenantId, 30_000, { nudge: () => advance(1000) });

const values = (wf: Workflow) => Object.fromEntries(Object.entries(wf.returnValues ?? {}).map(([k, v]) => [k, String(v)]));
const runsFor = (deal: number) => portal.triggerRuns().filter((r) => r.ownerTypeId === 2 && r.ownerId === deal).map((r) => r.code);

describe('"when final" (the default), bounded by the deadline', () => {
  it('a busy number: the workflow gets busy / 1 call / final N at 600 s, the redials go on, and the triggers fire when they end', async () => {
    await setReturnMode('final');
    const deal = dealWith('+79000000001');
    syncClocks();
    const receivedAt = clock.now().getTime();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    await callsMade(deal, 1);
    await settleOutbox(h.app, tenantId);
    // Still waiting: the number is not done and the deadline is far. The call is in the workflow's log.
    expect(wf.status).toBe('waiting');
    expect(wf.logs.some((l) => /call 1 .*Busy/.test(l))).toBe(true);
    const run = await h.app.db.query<{ deadline_at: Date; answer_by: Date }>(`SELECT deadline_at, answer_by FROM b24_robot_runs WHERE document = $1`, [`DEAL_${deal}`]);
    // 660 s from the call (its `ts`, whole seconds, may be a fraction of a second earlier), answered a minute before.
    const deadline = run.rows[0]!.deadline_at.getTime() - receivedAt;
    expect(deadline).toBeGreaterThan(659_000);
    expect(deadline).toBeLessThanOrEqual(660_000);
    expect(run.rows[0]!.deadline_at.getTime() - run.rows[0]!.answer_by.getTime()).toBe(60_000);

    advance(run.rows[0]!.answer_by.getTime() - 10_000 - clock.now().getTime());
    await freshOutboxRound(h.t.dozvon);
    expect(wf.status).toBe('waiting');
    advance(10_000); // 600 s: the answer-by time, a minute before Bitrix24 gives up
    expect(await wf.settled(20_000)).toBe('completed');

    expect(values(wf)).toMatchObject({ outcome: 'busy', attempts: '1', final: 'N', recording_url: '' });
    expect(wf.logs.at(-1)).toContain('calling goes on');

    // The template's redial rules go on after the answer; the stale token gets no more log lines.
    const logCalls = portal.calls('bizproc.activity.log').length;
    const calls = await redialUntilDone(deal);
    expect(calls).toBe(3);
    await settle();
    expect(portal.calls('bizproc.activity.log')).toHaveLength(logCalls);
    expect(portal.calls('bizproc.event.send').filter((c) => c.params.EVENT_TOKEN === wf.eventToken && c.status === 200)).toHaveLength(1);
    expect(portal.timeline('deal', deal).filter((e) => e.kind === 'comment')).toHaveLength(3);
    // What automation learns later: the chain ended without reaching anyone.
    expect(runsFor(deal)).toEqual(['dozvon_finished', 'dozvon_not_reached']);
    const after = await h.app.db.query<{ status: string; returned_final: boolean }>(`SELECT status, returned_final FROM b24_robot_runs WHERE document = $1`, [`DEAL_${deal}`]);
    expect(after.rows[0]).toEqual({ status: 'returned', returned_final: false });
  }, LONG);

  it('a number reached at once: answered then and there, final Y, and the triggers say reached and interested', async () => {
    const deal = dealWith('+79000000004');
    syncClocks();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    expect(await answered(wf)).toBe('completed');
    expect(values(wf)).toMatchObject({ outcome: 'human', result: 'interested', attempts: '1', final: 'Y' });
    await settle();
    expect(runsFor(deal)).toEqual(['dozvon_finished', 'dozvon_reached', 'dozvon_interested']);
    // The answer waited for the call's timeline entry.
    const send = portal.calls('bizproc.event.send').at(-1)!;
    const comment = portal.calls('crm.timeline.comment.add').filter((c) => Number((c.params.fields as { ENTITY_ID: string }).ENTITY_ID) === deal).at(-1)!;
    expect(comment.seq).toBeLessThan(send.seq);
    // It was queued already waiting for that entry and woken when it was written: one run, not a
    // first one that only found the write-back pending (the clock here moves only by hand).
    expect(await returnRuns()).toBe(1);
  }, LONG);
});

describe('"after the first call"', () => {
  it('answers as soon as the first call ended, with its outcome and final N; the redials and the triggers follow', async () => {
    await setReturnMode('first_attempt');
    const deal = dealWith('+79010000001');
    syncClocks();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    // No deadline came: the first call's end is enough.
    expect(await answered(wf)).toBe('completed');
    expect(values(wf)).toMatchObject({ outcome: 'busy', attempts: '1', final: 'N' });
    expect(await returnRuns()).toBe(1);
    expect(await redialUntilDone(deal)).toBe(3);
    await settle();
    expect(runsFor(deal)).toEqual(['dozvon_finished', 'dozvon_not_reached']);
    await setReturnMode('final');
  }, LONG);
});

describe('when nothing could be called before the deadline', () => {
  it('answers "pending", 0 calls, final N at 600 s — and still calls once the deal can be read', async () => {
    const deal = dealWith('+79020000004');
    portal.failNext('crm.deal.get', { status: 500, error: 'INTERNAL_SERVER_ERROR', times: 1000 });
    syncClocks();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    // Its failure recorded, not just its first try claimed: a try still in flight when the clock
    // jumps would record its failure, and its retry, two hours on — where the clock then stands.
    await waitFor('the intake to have failed once', async () => (await b24Jobs(h.app, tenantId)).some((j) => j.kind === 'robot.intake' && j.status === 'pending' && j.attempts > 0 && j.last_error !== null));
    advance(600_000);
    expect(await wf.settled(20_000)).toBe('completed');
    expect(values(wf)).toMatchObject({ outcome: 'pending', attempts: '0', final: 'N' });

    portal.clearFaults();
    // The intake's backoff: at most an hour, plus up to 20 % jitter (outboxWorker's `backoff`).
    advance(2 * 3600_000);
    await callsMade(deal, 1);
    await settle();
    expect(runsFor(deal)).toEqual(['dozvon_finished', 'dozvon_reached', 'dozvon_interested']);
  }, LONG);
});

describe('an answer Bitrix24 no longer takes', () => {
  it('is dropped by the portal (403), the run is failed at once, the workflow went on without values; calls and triggers go on', async () => {
    const deal = dealWith('+79030000001');
    syncClocks();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    await callsMade(deal, 1);
    await settle();
    // Dozvon was held up: the portal's clock passes the deadline before Dozvon answers.
    h.emu.clock.advance(100_000);
    advance(600_000);
    await waitFor('the return job to give up', async () => (await b24Jobs(h.app, tenantId)).find((j) => j.kind === 'robot.return' && j.status === 'dead' && j.last_error?.includes('stale event token')));
    expect(wf.status).toBe('timed_out');
    expect(wf.returnValues).toBeNull();
    expect(portal.calls('bizproc.event.send').filter((c) => c.params.EVENT_TOKEN === wf.eventToken).map((c) => [c.status, c.error])).toEqual([[403, 'ACCESS_DENIED']]);
    const run = await h.app.db.query<{ status: string }>(`SELECT status FROM b24_robot_runs WHERE document = $1`, [`DEAL_${deal}`]);
    expect(run.rows[0]?.status).toBe('failed');
    expect(await redialUntilDone(deal)).toBe(3);
    await settle();
    expect(runsFor(deal)).toEqual(['dozvon_finished', 'dozvon_not_reached']);
  }, LONG);
});

describe('a campaign stopped after a call was in the workflow log', () => {
  it('answers final with the outcome so far, and names that call in the log once', async () => {
    const deal = dealWith('+79040000001');
    syncClocks();
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, timeoutDuration: 660 });
    await callsMade(deal, 1);
    await settle();
    // The number is still open (a redial is due later): the call's own line is in the log.
    expect(wf.status).toBe('waiting');
    expect(wf.logs.filter((l) => /call 1 to \+79040000001/.test(l))).toHaveLength(1);
    const c = await h.app.db.query<{ campaign_id: string }>(`SELECT campaign_id FROM campaign_contacts WHERE external_id = $1 AND tenant_id = $2`, [`DEAL_${deal}`, tenantId]);
    await completeCampaign(h.app, tenantId, c.rows[0]!.campaign_id, null);
    expect(await answered(wf)).toBe('completed');
    expect(values(wf)).toMatchObject({ outcome: 'busy', attempts: '1', final: 'Y' });
    // Closed without a call: the answer's line is the summary alone, the call is not named again.
    expect(wf.logs.filter((l) => /call 1 to \+79040000001/.test(l))).toHaveLength(1);
    expect(wf.logs.at(-1)).toBe('Dozvon: done — Busy, calls made: 1');
  }, LONG);
});
