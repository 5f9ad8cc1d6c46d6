import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import { pauseCampaign, resumeCampaign } from '../../../src/engine/campaigns/lifecycle.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import type { Portal, Workflow } from '../../fakes/bitrix24/index.js';
import { freshOutboxRound } from '../../support/workerRounds.js';
import { settleOutbox, sharedTime, startHarness, waitFor, type B24Harness, type SharedTime } from './support.js';

/**
 * The workflow log of a robot run that is not called at once (C5). A run called within a minute of
 * its intake gets no "queued" line — its call's line comes moments later; one that waits gets a line
 * a minute after its intake saying why: the calling window (and when it opens), a paused campaign.
 *
 * Dozvon runs on a manual clock that starts on a Sunday night in Moscow, outside the robot
 * template's calling window (09:00–21:00); the emulator's clock moves with it.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let code: string;
const clock = new ManualClock(Date.parse('2026-12-06T00:00:00Z'));
let time: SharedTime;

beforeAll(async () => {
  h = await startHarness({}, { clock });
  portal = await h.newPortal({ rateLimit: null });
  tenantId = await h.install(portal);
  code = portal.robots()[0]!.code;
  const [tpl] = await listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId);
  await updateTemplate(h.app, tenantId, null, tpl!.id, { ...tpl!.body, callingWindow: { from: '09:00', to: '21:00' } });
  time = sharedTime(h, clock);
  time.sync();
});
afterAll(async () => h?.stop());

async function runOn(phone: string, timeoutDuration = 660): Promise<{ wf: Workflow; deal: number }> {
  const deal = portal.addDeal({ title: phone, contactIds: [portal.addContact({ name: 'Client', phones: [phone] })] });
  const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' }, timeoutDuration });
  await waitFor('the intake', async () => (await runOf(deal))?.status === 'calling');
  return { wf, deal };
}

async function runOf(deal: number): Promise<{ status: string; campaign_id: string } | undefined> {
  const r = await h.app.db.query<{ status: string; campaign_id: string }>(`SELECT status, campaign_id FROM b24_robot_runs WHERE tenant_id = $1 AND document = $2`, [tenantId, `DEAL_${deal}`]);
  return r.rows[0];
}

async function nextCallAt(deal: number): Promise<Date> {
  const r = await h.app.db.query<{ next_attempt_at: Date }>(
    `SELECT n.next_attempt_at FROM campaign_numbers n JOIN campaign_contacts c ON c.id = n.contact_id WHERE c.external_id = $1 AND c.tenant_id = $2`,
    [`DEAL_${deal}`, tenantId],
  );
  return r.rows[0]!.next_attempt_at;
}

const answered = (wf: Workflow) => time.answered(wf, 60_000);

const queuedJobs = async () =>
  (await h.app.db.query<{ status: string }>(`SELECT status FROM outbox WHERE tenant_id = $1 AND kind = 'robot.queued' ORDER BY created_at`, [tenantId])).rows.map((r) => r.status);

describe('the workflow log while a robot run waits for its first call', () => {
  it('outside the calling window: a minute after the intake, a line says when the window opens; then the call and the answer', async () => {
    // A workflow that waits a day for its answer (the robot's default would be answered at its deadline).
    const { wf, deal } = await runOn('+79000000004', 24 * 3600);
    const opens = await nextCallAt(deal);
    expect(opens.getTime()).toBeGreaterThan(clock.now().getTime() + 3600_000);

    time.advance(50_000);
    await freshOutboxRound(h.t.dozvon);
    expect(wf.logs).toEqual([]);
    time.advance(11_000);
    await waitFor('the queued line', () => wf.logs.length === 1);
    const at = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Moscow', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(opens);
    expect(wf.logs[0]).toMatch(/^Dozvon: \+79000000004 queued with ".+"; the calling window opens /);
    expect(wf.logs[0]).toContain(`opens ${at} (Europe/Moscow)`);

    // The process stopped after sending it, before recording the job done: the job comes round
    // again and sends nothing — a courtesy line is better missing than written twice.
    await h.app.db.query(`UPDATE outbox SET status = 'pending', done_at = NULL, next_attempt_at = $2 WHERE tenant_id = $1 AND kind = 'robot.queued'`, [tenantId, clock.now()]);
    await freshOutboxRound(h.t.dozvon);
    await settleOutbox(h.app, tenantId);
    expect(wf.logs).toHaveLength(1);

    time.advance(opens.getTime() - clock.now().getTime() + 1000);
    await answered(wf);
    expect(wf.status).toBe('completed');
    expect(wf.logs).toHaveLength(2);
    expect(wf.logs[1]).toMatch(/^Dozvon: call 1 to \+79000000004: .+; done — .+, calls made: 1$/);
  });

  it('called at once: no queued line, the job finds the call and sends nothing', async () => {
    const before = portal.calls('bizproc.activity.log').length;
    const { wf } = await runOn('+79000000014');
    await answered(wf);
    time.advance(61_000);
    await settleOutbox(h.app, tenantId);
    expect(wf.logs).toHaveLength(1);
    expect(wf.logs[0]).toMatch(/^Dozvon: call 1 to \+79000000014: .+; done — /);
    expect(portal.calls('bizproc.activity.log')).toHaveLength(before);
    expect(await queuedJobs()).toEqual(['done', 'done']);
  });

  it('a paused campaign: the line says so, and the call follows its resumption', async () => {
    const first = await runOn('+79000000031');
    await answered(first.wf);
    const { campaign_id: campaignId } = (await runOf(first.deal))!;
    await pauseCampaign(h.app, tenantId, campaignId, null);

    const { wf } = await runOn('+79000000024');
    time.advance(61_000);
    await waitFor('the paused line', () => wf.logs.length === 1);
    expect(wf.logs[0]).toMatch(/^Dozvon: \+79000000024 queued with ".+"; the campaign is paused, calls start when it resumes$/);

    await resumeCampaign(h.app, tenantId, campaignId);
    await answered(wf);
    expect(wf.logs).toHaveLength(2);
    expect(wf.logs[1]).toMatch(/^Dozvon: call 1 to \+79000000024: /);
  });
});
