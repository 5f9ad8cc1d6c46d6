import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startDispatcher, type Dispatcher } from '../../../src/engine/campaigns/dispatcher.js';
import { replanMissedWindows } from '../../../src/engine/campaigns/replan.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { makeCampaign, makeTemplate, settle } from '../../support/campaigns.js';

/** Nothing is called outside the allowed hours in the callee's own time zone. */
const clock = new ManualClock('2026-03-02T05:30:00Z'); // Monday: 08:30 Moscow, 12:30 Novosibirsk, 15:30 Vladivostok
let t: TestApp;
let d: Dispatcher;

beforeAll(async () => {
  t = await startTestApp({ WORKERS: 'false' }, { clock });
  d = startDispatcher(t.dozvon.app, { autoStart: false });
});
afterAll(async () => {
  await d?.stop();
  await t?.stop();
});

const MOSCOW = '+74959898533';
const NOVOSIBIRSK = '+73832000000';
const VLADIVOSTOK = '+74232000000';

async function dialledNow(campaignId: string): Promise<string[]> {
  const app = t.dozvon.app;
  const before = new Set((await app.db.query<{ phone: string }>('SELECT phone FROM attempts WHERE campaign_id = $1', [campaignId])).rows.map((r) => r.phone));
  // Tick until nothing is due, granted or in a call at this moment (the clock does not move here).
  for (let i = 0; i < 100; i++) {
    await d.tick();
    await new Promise((r) => setTimeout(r, 20));
    // A claim whose start came late (a loaded machine) is held for a slot of the next tick, still
    // 'dialing': only wait for the calls to end when nothing is held or scheduled.
    if (d.pending() > 0) continue;
    await settle(app, campaignId);
    const due = await app.db.query(
      `SELECT 1 FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new', 'callback') AND next_attempt_at <= $2 AND (due_until IS NULL OR due_until > $2)`,
      [campaignId, clock.now()],
    );
    if (due.rows.length === 0 && d.pending() === 0) break;
  }
  const after = (await app.db.query<{ phone: string }>('SELECT phone FROM attempts WHERE campaign_id = $1', [campaignId])).rows.map((r) => r.phone);
  return [...new Set(after.filter((p) => !before.has(p)))].sort();
}

describe('calling windows in the callee’s local time', () => {
  it('calls each number only inside 09:00–18:00 of its own zone, and plans the rest for their window', async () => {
    const app = t.dozvon.app;
    const templateId = await makeTemplate(app, t.tenantId, { callingWindow: { from: '00:00', to: '23:59' } });
    const c = await makeCampaign(
      app,
      t.tenantId,
      templateId,
      { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: false }, useCalleeTime: true, timezone: 'Europe/Moscow' },
      [MOSCOW, NOVOSIBIRSK, VLADIVOSTOK],
    );
    const plan = await app.db.query<{ phone: string; zone_key: string; next_attempt_at: Date }>(
      'SELECT phone, zone_key, next_attempt_at FROM campaign_numbers WHERE campaign_id = $1 ORDER BY phone',
      [c.id],
    );
    expect(Object.fromEntries(plan.rows.map((r) => [r.phone, r.zone_key]))).toEqual({
      [NOVOSIBIRSK]: 'Asia/Novosibirsk',
      [VLADIVOSTOK]: 'Asia/Vladivostok',
      [MOSCOW]: 'Europe/Moscow',
    });
    // Moscow opens at 09:00 local = 06:00 UTC.
    expect(plan.rows.find((r) => r.phone === MOSCOW)!.next_attempt_at.toISOString()).toBe('2026-03-02T06:00:00.000Z');

    expect(await dialledNow(c.id)).toEqual([NOVOSIBIRSK, VLADIVOSTOK]);
    clock.set('2026-03-02T06:00:00Z');
    expect(await dialledNow(c.id)).toEqual([MOSCOW]);
  });

  it('a number whose window closed before it was reached is planned into its next window, not called at night', async () => {
    const app = t.dozvon.app;
    clock.set('2026-03-06T07:50:00Z'); // Friday 17:50 Vladivostok
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(app, t.tenantId, templateId, { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: false }, maxConcurrent: 1 }, [
      '+74232000001',
    ]);
    clock.set('2026-03-06T08:30:00Z'); // 18:30 there: closed; nobody dialled it in time
    expect(await dialledNow(c.id)).toEqual([]);
    expect(await replanMissedWindows(app)).toBeGreaterThanOrEqual(1);
    const n = await app.db.query<{ next_attempt_at: Date }>('SELECT next_attempt_at FROM campaign_numbers WHERE campaign_id = $1', [c.id]);
    // Next window: Monday 09:00 Vladivostok = Sunday 23:00 UTC.
    expect(n.rows[0]!.next_attempt_at.toISOString()).toBe('2026-03-08T23:00:00.000Z');
  });

  it('without "use the callee’s local time" the campaign’s own zone decides', async () => {
    const app = t.dozvon.app;
    clock.set('2026-03-09T03:00:00Z'); // Monday 06:00 Moscow, 13:00 Vladivostok
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(
      app,
      t.tenantId,
      templateId,
      { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: false }, useCalleeTime: false, timezone: 'Europe/Moscow' },
      ['+74232000002'],
    );
    expect(await dialledNow(c.id)).toEqual([]);
    clock.set('2026-03-09T06:00:00Z');
    expect(await dialledNow(c.id)).toEqual(['+74232000002']);
  });

  it('holidays are skipped when configured (8 March 2026 is moved to Monday 9 March in Russia)', async () => {
    const app = t.dozvon.app;
    clock.set('2026-03-09T08:00:00Z'); // Monday 11:00 Moscow, a day off by decree
    const templateId = await makeTemplate(app, t.tenantId);
    const c = await makeCampaign(
      app,
      t.tenantId,
      templateId,
      { window: { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', skipHolidays: true, holidayCountry: 'RU' } },
      ['+74959898534'],
    );
    expect(await dialledNow(c.id)).toEqual([]);
    const n = await app.db.query<{ next_attempt_at: Date }>('SELECT next_attempt_at FROM campaign_numbers WHERE campaign_id = $1', [c.id]);
    expect(n.rows[0]!.next_attempt_at.toISOString()).toBe('2026-03-10T06:00:00.000Z');
  });
});
