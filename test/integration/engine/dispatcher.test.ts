import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startDispatcher, type Dispatcher } from '../../../src/engine/campaigns/dispatcher.js';
import { recoverExpiredLeases } from '../../../src/engine/campaigns/recoverLeases.js';
import { handleCallEvent } from '../../../src/engine/handleCallEvent.js';
import { withPlatformOverride } from '../../../src/voice/registry.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate, numberStatuses, settle } from '../../support/campaigns.js';

/**
 * The dispatcher with simulated time: the clock only moves when the test moves it, so redial
 * delays, backoff and windows are checked without waiting. Calls themselves run in the sandbox
 * at 1/100 speed.
 */
const clock = new ManualClock('2026-03-02T09:00:00Z'); // Monday 12:00 in Moscow
let t: TestApp;
let d: Dispatcher;

beforeAll(async () => {
  t = await startTestApp({ WORKERS: 'false', DIAL_LEASE_SEC: '60' }, { clock });
  d = startDispatcher(t.dozvon.app, { autoStart: false });
});
afterAll(async () => {
  await d?.stop();
  await t?.stop();
});

/**
 * Ticks until nothing more is claimed and every call has ended. Each round moves the clock one
 * second: pacing spaces call starts in time, so a frozen clock would allow only the first few.
 */
async function runDue(campaignId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const claimed = await d.tick();
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 5));
    if (claimed === 0 && d.pending() === 0) {
      await settle(t.dozvon.app, campaignId);
      if ((await d.tick()) === 0 && d.pending() === 0) return;
    }
  }
  throw new Error(`dispatcher never went idle: ${d.pending()} pending, ${JSON.stringify(await numberStatuses(t.dozvon.app, campaignId))}`);
}

async function numbersLeft(campaignId: string): Promise<number> {
  const r = await t.dozvon.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new', 'dialing')`, [campaignId]);
  return Number(r.rows[0]!.n);
}

describe('who is called, and what happens next', () => {
  it('each number is called once; outcomes decide the status, redial rules the next time', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId, {
      redial: {
        mode: 'inline',
        rules: { busy: { delayMinutes: 15, from: 'start', maxCount: 2 }, failure: { delayMinutes: 5, from: 'start', maxCount: 1 } },
      },
    });
    const c = await makeCampaign(app, t.tenantId, templateId, { attempts: { initial: 1, max: 5 } }, [
      '+79000000001',
      '+79000000003',
      '+79000000004',
      '+79000000006',
      '+79000000007',
      '+79000000008',
    ]);
    await runDue(c.id);
    expect(await numberStatuses(app, c.id)).toEqual({
      '+79000000001': 'callback',
      '+79000000003': 'not_answered',
      '+79000000004': 'answered',
      '+79000000006': 'callback',
      '+79000000007': 'answered',
      '+79000000008': 'failed',
    });
    const next = await app.db.query<{ phone: string; next_attempt_at: Date; dialed_at: Date }>(
      `SELECT n.phone, n.next_attempt_at, a.dialed_at FROM campaign_numbers n JOIN attempts a ON a.id = n.last_attempt_id
       WHERE n.campaign_id = $1 AND n.status = 'callback' ORDER BY n.phone`,
      [c.id],
    );
    // Busy: 15 min after the call started; failure: 5 min.
    expect(next.rows.map((r) => [r.phone, (r.next_attempt_at.getTime() - r.dialed_at.getTime()) / 60_000])).toEqual([
      ['+79000000001', 15],
      ['+79000000006', 5],
    ]);

    clock.advance(5 * 60_000);
    await runDue(c.id);
    expect((await numberStatuses(app, c.id))['+79000000006']).toBe('failed'); // its one failure redial is used up
    clock.advance(10 * 60_000);
    await runDue(c.id);
    clock.advance(15 * 60_000);
    await runDue(c.id);
    expect((await numberStatuses(app, c.id))['+79000000001']).toBe('not_answered');
    const attempts = await app.db.query<{ phone: string; n: string }>(
      'SELECT phone, count(*) AS n FROM attempts WHERE campaign_id = $1 AND placed GROUP BY phone ORDER BY phone',
      [c.id],
    );
    expect(Object.fromEntries(attempts.rows.map((r) => [r.phone, Number(r.n)]))).toMatchObject({ '+79000000001': 3, '+79000000006': 2, '+79000000004': 1 });
  });

  it('a success on one phone closes the client’s other phones', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(app, t.tenantId, templateId, { attempts: { initial: 3, max: 3 }, pauseMinutes: 1, maxConcurrent: 1 }, [
      ['+79000000004', '+79000000002'],
    ]);
    await runDue(c.id);
    clock.advance(2 * 60_000);
    await runDue(c.id);
    const s = await numberStatuses(app, c.id);
    expect(s['+79000000004']).toBe('answered');
    expect(s['+79000000002']).toBe('done');
    const contact = await app.db.query<{ status: string }>('SELECT status FROM campaign_contacts WHERE campaign_id = $1', [c.id]);
    expect(contact.rows[0]!.status).toBe('reached');
  });

  it('technical errors back off 1, 2, 4 … minutes and do not count until the ninth in a row', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(app, t.tenantId, templateId, { attempts: { initial: 1, max: 2 } }, ['+79000000009']);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      await runDue(c.id);
      const n = await app.db.query<{ next_attempt_at: Date; attempts_made: number; ended_at: Date }>(
        `SELECT n.next_attempt_at, n.attempts_made, a.ended_at FROM campaign_numbers n JOIN attempts a ON a.id = n.last_attempt_id
         WHERE n.campaign_id = $1`,
        [c.id],
      );
      const row = n.rows[0]!;
      waits.push((row.next_attempt_at.getTime() - row.ended_at.getTime()) / 60_000);
      if (i < 8) expect(row.attempts_made).toBe(0);
      else expect(row.attempts_made).toBe(1);
      clock.set(row.next_attempt_at);
    }
    expect(waits.slice(0, 8)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    const placed = await app.db.query<{ n: string }>('SELECT count(*) AS n FROM attempts WHERE campaign_id = $1 AND placed', [c.id]);
    expect(Number(placed.rows[0]!.n)).toBe(0);
  });

  it('never more calls at once than the campaign allows', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId);
    const phones = Array.from({ length: 12 }, (_, i) => `+7900123${String(i).padStart(4, '0')}4`.slice(0, 12));
    const c = await makeCampaign(app, t.tenantId, templateId, { maxConcurrent: 3, intensity: 50 }, phones);
    let max = 0;
    for (let i = 0; i < 400; i++) {
      await d.tick();
      const r = await app.db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND status = 'dialing'`, [c.id]);
      max = Math.max(max, Number(r.rows[0]!.n));
      const open = await app.db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new','dialing')`, [c.id]);
      if (Number(open.rows[0]!.n) === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(max).toBeGreaterThan(1);
    expect(max).toBeLessThanOrEqual(3);
  });

  it('a start whose slot passed keeps its number and attempt: no release and re-claim, nothing dialled twice', async () => {
    const app = t.dozvon.app;
    // Only this campaign runs: the tick ends right after scheduling its start (no other campaign's
    // database work, such as giving back what the dispatcher still holds for it, during which the
    // start's timer could fire on time).
    await app.db.query(`UPDATE campaigns SET status = 'paused' WHERE status = 'running'`);
    await d.tick();
    const templateId = await makeTemplate(app, t.tenantId);
    const phones = Array.from({ length: 3 }, (_, i) => `+7900${600 + i}0004`);
    // One call a second: a slot granted again is met unless the event loop stalls for 0.9 s.
    const c = await makeCampaign(app, t.tenantId, templateId, { maxConcurrent: 10, intensity: 1 }, phones);
    const claimed = await d.tick();
    expect(claimed).toBeGreaterThan(0);
    // The event loop stalls past every slot granted (at most tick + 100 ms ahead): each start is late.
    const stalledUntil = Date.now() + 1500;
    while (Date.now() < stalledUntil) {
      // busy: this is the stall
    }
    await new Promise((r) => setTimeout(r, 0));
    const first = await app.db.query<{ id: string; number_id: string }>('SELECT id, number_id FROM attempts WHERE campaign_id = $1', [c.id]);
    if (app.db.kind === 'postgres') {
      // Other processes may share the pace: the late claims wait, still claimed, for the next tick's slots.
      expect(d.pending()).toBeGreaterThan(0);
    }
    const released = await app.db.query<{ n: string }>('SELECT count(*) AS n FROM attempts WHERE campaign_id = $1 AND NOT placed AND status = $2', [c.id, 'completed']);
    expect(Number(released.rows[0]!.n)).toBe(0);
    // One start a second, and the process spaces its own starts by a second of real time: each
    // round gives the clock and the machine that second, so no later start is missed.
    for (let i = 0; i < 100 && (await numbersLeft(c.id)) > 0; i++) {
      await d.tick();
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 1100));
    }
    await runDue(c.id);
    expect(Object.values(await numberStatuses(app, c.id))).toEqual(phones.map(() => 'answered'));
    const attempts = await app.db.query<{ id: string; number_id: string; placed: boolean; error: string | null }>(
      'SELECT id, number_id, placed, error FROM attempts WHERE campaign_id = $1',
      [c.id],
    );
    // One attempt per number, every one dialled; the late ones are the attempts first claimed.
    expect(attempts.rows).toHaveLength(phones.length);
    expect(new Set(attempts.rows.map((a) => a.number_id)).size).toBe(phones.length);
    expect(attempts.rows.filter((a) => !a.placed || a.error)).toEqual([]);
    expect(attempts.rows.map((a) => a.id)).toEqual(expect.arrayContaining(first.rows.map((a) => a.id)));
  });

  it('a number claimed by a worker that died is recovered once its lease expires; nothing is called twice', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(app, t.tenantId, templateId, { attempts: { initial: 2, max: 2 }, pauseMinutes: 0 }, ['+79000010004']);
    // A worker claims the number and dies before dialling: a claim without a call.
    const ghost = startDispatcher({ ...app, workerId: 'ghost', voice: withPlatformOverride(app.voice, { placeCall: () => new Promise(() => undefined) }) }, { autoStart: false });
    expect(await ghost.tick()).toBe(1);
    expect((await numberStatuses(app, c.id))['+79000010004']).toBe('dialing');
    // Let the ghost reach the platform (where it hangs forever). On a loaded machine this can take
    // seconds; the clock must not move before it, or the ghost's lease starts from the moved clock.
    let placed = false;
    for (let i = 0; i < 6000 && !placed; i++) {
      const r = await app.db.query<{ placed: boolean }>('SELECT placed FROM attempts WHERE campaign_id = $1', [c.id]);
      placed = r.rows[0]?.placed === true;
      if (!placed) await new Promise((res) => setTimeout(res, 10));
    }
    expect(placed).toBe(true);
    expect(await recoverExpiredLeases(app)).toBe(0); // lease still valid
    clock.advance(61_000);
    expect(await recoverExpiredLeases(app)).toBe(1);
    expect(await recoverExpiredLeases(app)).toBe(0);
    const rows = await app.db.query<{ status: string; attempts_made: number }>('SELECT status, attempts_made FROM campaign_numbers WHERE campaign_id = $1', [c.id]);
    // The ghost marked the call as placed before the platform answered: it counts, and the number goes on.
    expect(rows.rows[0]).toMatchObject({ status: 'callback', attempts_made: 1 });
    await runDue(c.id);
    expect((await numberStatuses(app, c.id))['+79000010004']).toBe('answered');
    const perAttempt = await app.db.query<{ attempt_no: number; n: string }>(
      'SELECT attempt_no, count(*) FILTER (WHERE placed) AS n FROM attempts WHERE campaign_id = $1 GROUP BY attempt_no ORDER BY attempt_no',
      [c.id],
    );
    expect(perAttempt.rows.map((r) => [r.attempt_no, Number(r.n)])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('a live call keeps its number: each ringing or answered event renews the lease, a late event of a finished number leaves it alone', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(app, t.tenantId, templateId, { attempts: { initial: 1, max: 1 } }, ['+79000010005']);
    // The platform takes the call and reports only what the test sends.
    const quiet = startDispatcher({ ...app, workerId: 'quiet', voice: withPlatformOverride(app.voice, { placeCall: async () => ({ providerCallId: 'quiet-1' }) }) }, { autoStart: false });
    expect(await quiet.tick()).toBe(1);
    let attemptId: string | undefined;
    for (let i = 0; i < 6000 && !attemptId; i++) {
      const r = await app.db.query<{ id: string }>(`SELECT id FROM attempts WHERE campaign_id = $1 AND provider_call_id = 'quiet-1'`, [c.id]);
      attemptId = r.rows[0]?.id;
      if (!attemptId) await new Promise((res) => setTimeout(res, 10));
    }
    const event = (seq: number, type: 'ringing' | 'answered') => ({ attemptId: attemptId!, providerCallId: 'quiet-1', seq, at: clock.now().toISOString(), type });
    // 50 s into a 60 s lease the call rings, 50 s later it is answered: the number is never taken back.
    clock.advance(50_000);
    await handleCallEvent(app, event(1, 'ringing'));
    clock.advance(50_000);
    expect(await recoverExpiredLeases(app)).toBe(0);
    await handleCallEvent(app, event(2, 'answered'));
    clock.advance(50_000);
    expect(await recoverExpiredLeases(app)).toBe(0);
    expect((await numberStatuses(app, c.id))['+79000010005']).toBe('dialing');
    await handleCallEvent(app, { attemptId: attemptId!, providerCallId: 'quiet-1', seq: 3, at: clock.now().toISOString(), type: 'ended', cause: 'answered', sipCode: 200, durationSec: 30, talkSec: 25, answeredAt: clock.now().toISOString(), recordingUrl: null, error: null });
    expect((await numberStatuses(app, c.id))['+79000010005']).toBe('answered');
    // A ringing event the platform sent late (after the end) does not lease the finished number again.
    await handleCallEvent(app, event(4, 'ringing'));
    const lease = await app.db.query<{ locked_until: Date | null; status: string }>('SELECT locked_until, status FROM campaign_numbers WHERE campaign_id = $1', [c.id]);
    expect(lease.rows[0]).toEqual({ locked_until: null, status: 'answered' });
    await quiet.stop();
  });
});
