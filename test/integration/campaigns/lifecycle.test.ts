import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import {
  addBatch,
  ALL_DAY,
  createCampaign,
  getCampaign,
  listAttempts,
  listNumbers,
  magic,
  makeTemplate,
  numbersByPhone,
  freshDispatcherRound,
  waitFor,
  waitSettled,
  type AttemptBody,
  type CampaignBody,
  type ErrorBody,
} from './helpers.js';

/**
 * A campaign's life as a user sees it through the API (J1, J4, J5, J7): created to start now or
 * later, filled with numbers, dialled, paused and resumed, edited, completed, deleted, and stopped
 * by the minute budget.
 */
let t: TestApp;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

/** Waits until the campaign has an attempt to `phone` that is under way (ringing). */
async function ringing(campaignId: string, phone: string): Promise<AttemptBody> {
  const list = await waitFor(
    () => listAttempts(t, campaignId),
    (as) => as.some((a) => a.phone === phone && ['dialing', 'ringing'].includes(a.status)),
    { what: `a call to ${phone} in progress`, everyMs: 10 },
  );
  return list.find((a) => a.phone === phone && ['dialing', 'ringing'].includes(a.status))!;
}

const finished = async (id: string) => (await t.api<AttemptBody>('GET', `/attempts/${id}?wait=30`)).body;

describe('a campaign that starts now', () => {
  let campaign: CampaignBody;

  it('is running at once, starts empty, and calls the numbers added by batch: statuses and attempts follow the outcomes', async () => {
    campaign = await createCampaign(t, templateId);
    expect(campaign).toMatchObject({ status: 'running', statusReason: null, startAt: null });
    expect(campaign.startedAt).toBeTruthy();
    expect(campaign.settings).toMatchObject({ window: { days: ALL_DAY.days }, attempts: { initial: 1, max: 5 } });
    expect((await getCampaign(t, campaign.id)).numbers).toEqual({});

    const added = await addBatch(t, campaign.id, [
      { phone: '+7 900 000-00-04', externalId: 'anna', variables: { name: 'Anna' } },
      { phone: magic('0007'), externalId: 'boris', variables: { name: 'Boris' } },
      { phone: magic('0001'), externalId: 'busy' },
      { phone: magic('0002'), externalId: 'silent' },
      { phone: magic('0006'), externalId: 'sip503' },
      { phone: magic('0008'), externalId: 'nobody' },
      { phone: magic('0003'), externalId: 'machine' },
    ]);
    expect(added).toMatchObject({ added: 7, duplicates: 0, invalid: 0 });

    const numbers = Object.fromEntries((await waitSettled(t, campaign.id)).map((n) => [n.phone, n]));
    expect(numbers[magic('0004')]).toMatchObject({ status: 'answered', attemptsMade: 1, lastOutcome: 'human', nextAttemptAt: null, externalId: 'anna' });
    expect(numbers[magic('0007')]).toMatchObject({ status: 'answered', lastOutcome: 'human' });
    // Busy, no answer and an operator failure are redialled by the template's rules.
    expect(numbers[magic('0001')]).toMatchObject({ status: 'callback', lastOutcome: 'busy', attemptsMade: 1 });
    expect(numbers[magic('0002')]).toMatchObject({ status: 'callback', lastOutcome: 'no_answer' });
    expect(numbers[magic('0006')]).toMatchObject({ status: 'callback', lastOutcome: 'failed' });
    expect(numbers[magic('0001')]!.nextAttemptAt).toBeTruthy();
    // A number that does not exist fails for good; a machine (no machine rule) is not answered.
    expect(numbers[magic('0008')]).toMatchObject({ status: 'failed', lastOutcome: 'invalid_number', nextAttemptAt: null });
    expect(numbers[magic('0003')]).toMatchObject({ status: 'not_answered', lastOutcome: 'machine' });

    const attempts = await waitFor(() => listAttempts(t, campaign.id), (as) => as.length === 7 && as.every((a) => a.status === 'completed' && (a.outcome !== 'human' || a.recordingUrl)));
    const byPhone = Object.fromEntries(attempts.map((a) => [a.phone, a]));
    expect(byPhone[magic('0004')]).toMatchObject({ kind: 'campaign', campaignId: campaign.id, outcome: 'human', result: 'interested', gender: 'female', variables: { name: 'Anna' } });
    expect(byPhone[magic('0004')]!.recordingUrl).toMatch(/^http/);
    const wav = await fetch(byPhone[magic('0004')]!.recordingUrl!);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(byPhone[magic('0007')]).toMatchObject({ outcome: 'human', result: 'not_interested', gender: 'male' });
    expect(byPhone[magic('0001')]).toMatchObject({ outcome: 'busy', recordingUrl: null });
    expect(byPhone[magic('0008')]).toMatchObject({ outcome: 'invalid_number' });
    expect(byPhone[magic('0003')]).toMatchObject({ outcome: 'machine', amdVerdict: 'machine' });

    const c = await getCampaign(t, campaign.id);
    expect(c.status).toBe('running'); // the seed never completes a campaign by itself
    expect(c.numbers).toEqual({ answered: 2, callback: 3, failed: 1, not_answered: 1 });
  });

  it('a number shows "dialing" while its call is in progress', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120 });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7900222') }]);
    const a = await ringing(c.id, magic('0002', '+7900222'));
    const [n] = await listNumbers(t, c.id);
    expect(n).toMatchObject({ status: 'dialing', attemptsMade: 0 });
    await finished(a.id);
    await waitSettled(t, c.id);
  });

  it('pause: calls in progress finish, no new call starts; resume: calling goes on', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120 });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7900333') }]);
    const inCall = await ringing(c.id, magic('0002', '+7900333'));

    const paused = await t.api<CampaignBody>('POST', `/campaigns/${c.id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', statusReason: 'manual' });
    // Pausing twice is harmless.
    expect((await t.api<CampaignBody>('POST', `/campaigns/${c.id}/pause`)).body.status).toBe('paused');

    await addBatch(t, c.id, [{ phone: magic('0004', '+7900333'), variables: { name: 'Vera' } }]);
    const done = await finished(inCall.id);
    expect(done).toMatchObject({ status: 'completed', outcome: 'no_answer' });
    await freshDispatcherRound(t); // nothing may start while paused
    let numbers = await numbersByPhone(t, c.id);
    expect(numbers[magic('0004', '+7900333')]).toMatchObject({ status: 'new', attemptsMade: 0 });
    expect(numbers[magic('0002', '+7900333')]).toMatchObject({ status: 'callback', lastOutcome: 'no_answer' });
    expect(await listAttempts(t, c.id)).toHaveLength(1);

    const resumed = await t.api<CampaignBody>('POST', `/campaigns/${c.id}/resume`);
    expect(resumed.body).toMatchObject({ status: 'running', statusReason: null });
    numbers = Object.fromEntries((await waitSettled(t, c.id)).map((n) => [n.phone, n]));
    expect(numbers[magic('0004', '+7900333')]).toMatchObject({ status: 'answered', lastOutcome: 'human' });
  });

  it('conditions cannot change while running (409, clear message); while paused they can and open numbers are re-planned', async () => {
    const c = await createCampaign(t, templateId);
    const running = await t.api<ErrorBody>('PATCH', `/campaigns/${c.id}`, { settings: { pauseMinutes: 5 } });
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('conflict');
    expect(running.body.error.message).toBe("The campaign's conditions can be changed only while it is scheduled or paused (it is running now).");
    const ru = await t.api<ErrorBody>('PATCH', `/campaigns/${c.id}?lang=ru`, { name: 'Другое имя' });
    expect(ru.status).toBe(409);
    expect(ru.body.error.message).toMatch(/^Условия кампании можно менять/);

    await t.api('POST', `/campaigns/${c.id}/pause`);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900444') }]);
    const [before] = await listNumbers(t, c.id);
    expect(new Date(before!.nextAttemptAt!).getTime()).toBeLessThanOrEqual(Date.now());

    // Only on the day after tomorrow: the open number moves to that day, in the callee's zone
    // (+7 900 444… is a Kamchatka range).
    const dayIn = (zone: string, d: Date) => ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(d)) + 1;
    const hourIn = (zone: string, d: Date) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(d));
    const day = dayIn('Asia/Kamchatka', new Date(Date.now() + 2 * 86400_000));
    const edited = await t.api<CampaignBody>('PATCH', `/campaigns/${c.id}`, { settings: { window: { ...ALL_DAY, days: [day] } } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.version).toBe(c.version + 1);
    expect(edited.body.settings).toMatchObject({ window: { days: [day] }, intensity: 50 }); // other settings kept
    const [after] = await listNumbers(t, c.id);
    const next = new Date(after!.nextAttemptAt!);
    expect(next.getTime()).toBeGreaterThan(Date.now() + 86400_000);
    expect([dayIn('Asia/Kamchatka', next), hourIn('Asia/Kamchatka', next)]).toEqual([day, 0]);

    // Renaming alone is an edit too, and a stale version is refused.
    const renamed = await t.api<CampaignBody>('PATCH', `/campaigns/${c.id}?expectedVersion=${edited.body.version}`, { name: 'Renamed' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed', settings: { window: { days: [day] } } });
    const stale = await t.api<ErrorBody>('PATCH', `/campaigns/${c.id}?expectedVersion=${c.version}`, { name: 'Stale' });
    expect(stale.status).toBe(409);
    // An invalid condition names its field.
    const bad = await t.api<ErrorBody>('PATCH', `/campaigns/${c.id}`, { settings: { attempts: { initial: 7, max: 3 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'settings.attempts.initial', reason: 'validation.attempts_initial_over_max' });

    // Back to every day: resumed, the number is called at once.
    expect((await t.api('PATCH', `/campaigns/${c.id}`, { settings: { window: ALL_DAY } })).status).toBe(200);
    await t.api('POST', `/campaigns/${c.id}/resume`);
    const [called] = await waitSettled(t, c.id);
    expect(called).toMatchObject({ status: 'answered' });
  });

  it('complete: open numbers are cancelled, a call in progress finishes; nothing more can be done with it', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120, window: { ...ALL_DAY } });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7900555') }]);
    const inCall = await ringing(c.id, magic('0002', '+7900555'));
    await t.api('POST', `/campaigns/${c.id}/pause`);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900555') }, { phone: magic('0007', '+7900555') }]);

    const done = await t.api<CampaignBody>('POST', `/campaigns/${c.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', statusReason: 'manual' });
    expect(done.body.completedAt).toBeTruthy();
    expect(await finished(inCall.id)).toMatchObject({ outcome: 'no_answer' });
    const numbers = await waitSettled(t, c.id);
    expect(numbers.map((n) => n.status).sort()).toEqual(['cancelled', 'cancelled', 'not_answered']);

    for (const action of ['resume', 'pause', 'start']) {
      const r = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/${action}`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toContain('completed');
    }
    const add = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/numbers`, { phone: magic('0004', '+7900556') });
    expect(add.status).toBe(409);
    expect(add.body.error.message).not.toContain('errors.');
    expect((await t.api('PATCH', `/campaigns/${c.id}`, { name: 'x' })).status).toBe(409);
  });

  it('"complete when done" completes the campaign by itself once every number is finished', async () => {
    const c = await createCampaign(t, templateId, { completeWhenDone: true });
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900666') }, { phone: magic('0007', '+7900666') }, { phone: magic('0008', '+7900666') }]);
    const done = await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'completed', { what: 'completion' });
    expect(done).toMatchObject({ status: 'completed', statusReason: 'all_done', numbers: { answered: 2, failed: 1 } });
  });

  it('"complete when done" also when the last open numbers are cancelled instead of called', async () => {
    // Only the weekday three days from today (UTC): closed now in every time zone, so nothing is dialled.
    const today = ((new Date().getUTCDay() + 6) % 7) + 1;
    const c = await createCampaign(t, templateId, { completeWhenDone: true, window: { ...ALL_DAY, days: [((today + 2) % 7) + 1] } });
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900667'), externalId: 'a' }, { phone: magic('0007', '+7900667'), externalId: 'b' }]);
    await t.api('POST', `/campaigns/${c.id}/numbers/cancel`, { externalIds: ['a'] });
    expect((await getCampaign(t, c.id)).status).toBe('running');
    await t.api('POST', `/campaigns/${c.id}/numbers/cancel`, { externalIds: ['b'] });
    expect(await getCampaign(t, c.id)).toMatchObject({ status: 'completed', statusReason: 'all_done', numbers: { cancelled: 2 } });
  });

  it('delete at any time: the call in progress finishes, nothing new starts, the campaign is gone', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120 });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7900777') }]);
    const inCall = await ringing(c.id, magic('0002', '+7900777'));
    const del = await t.api('DELETE', `/campaigns/${c.id}`);
    expect(del.status).toBe(204);
    expect((await t.api('GET', `/campaigns/${c.id}`)).status).toBe(404);
    expect((await t.api('POST', `/campaigns/${c.id}/numbers`, { phone: magic('0004', '+7900777') })).status).toBe(404);
    expect((await t.api<{ campaigns: { id: string }[] }>('GET', '/campaigns')).body.campaigns.map((x) => x.id)).not.toContain(c.id);
    expect(await finished(inCall.id)).toMatchObject({ status: 'completed', outcome: 'no_answer' });
    await freshDispatcherRound(t);
    expect((await listAttempts(t, c.id)).map((a) => a.id)).toEqual([inCall.id]);
    const row = await t.dozvon.app.db.query<{ status: string }>('SELECT status FROM campaign_numbers WHERE campaign_id = $1', [c.id]);
    expect(row.rows.map((r) => r.status)).toEqual(['not_answered']);
  });
});

describe('the scenario and the channel', () => {
  it('the scenario may change at any time: pause, edit, resume, and the next call runs the new version', async () => {
    const list = await t.api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const starter = await t.api<{ graph: Record<string, unknown> & { name: string } }>('GET', `/scenarios/${list.body.scenarios[0]!.id}`);
    const scenario = await t.api<{ id: string; versionId: string }>('POST', '/scenarios', { ...starter.body.graph, name: 'Editable scenario' });
    expect(scenario.status).toBe(201);
    const tpl = await makeTemplate(t, { scenarioId: scenario.body.id });
    const c = await createCampaign(t, tpl);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7901200') }]);
    await waitSettled(t, c.id);

    await t.api('POST', `/campaigns/${c.id}/pause`);
    const edited = await t.api<{ versionId: string }>('PUT', `/scenarios/${scenario.body.id}`, { ...starter.body.graph, name: 'Editable scenario', description: 'second version' });
    expect(edited.status).toBe(200);
    await addBatch(t, c.id, [{ phone: magic('0007', '+7901200') }]);
    await t.api('POST', `/campaigns/${c.id}/resume`);
    await waitSettled(t, c.id);
    const attempts = await waitFor(() => listAttempts(t, c.id), (as) => as.length === 2 && as.every((a) => a.status === 'completed'));
    const byPhone = Object.fromEntries(attempts.map((a) => [a.phone, a]));
    expect(byPhone[magic('0004', '+7901200')]!.scenarioVersionId).toBe(scenario.body.versionId);
    expect(byPhone[magic('0007', '+7901200')]!.scenarioVersionId).toBe(edited.body.versionId);
  });

  it('deleting the template (the channel) pauses a running campaign; it cannot be resumed without one', async () => {
    const tpl = await makeTemplate(t);
    const c = await createCampaign(t, tpl);
    await t.api('POST', `/campaigns/${c.id}/pause`);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7901300') }]);
    expect((await t.api('DELETE', `/templates/${tpl}`)).status).toBe(204);
    const refused = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe('channel_deleted');

    const running = await createCampaign(t, templateId);
    const tpl2 = await makeTemplate(t);
    const other = await createCampaign(t, tpl2);
    expect((await t.api('DELETE', `/templates/${tpl2}`)).status).toBe(204);
    await addBatch(t, other.id, [{ phone: magic('0004', '+7901301') }]);
    const paused = await waitFor(() => getCampaign(t, other.id), (x) => x.status === 'paused', { what: 'the channel pause' });
    expect(paused.statusReason).toBe('channel_deleted');
    expect(await listAttempts(t, other.id)).toEqual([]);
    expect((await getCampaign(t, running.id)).status).toBe('running');
  });
});

describe('a scheduled campaign', () => {
  it('a startAt in the future makes it scheduled; numbers wait; POST /start runs it now', async () => {
    const startAt = new Date(Date.now() + 3600_000).toISOString();
    const c = await createCampaign(t, templateId, {}, { startAt });
    expect(c).toMatchObject({ status: 'scheduled', startedAt: null });
    expect(new Date(c.startAt!).toISOString()).toBe(startAt);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900888'), variables: { name: 'Olga' } }]);
    await freshDispatcherRound(t);
    const [waiting] = await listNumbers(t, c.id);
    expect(waiting).toMatchObject({ status: 'new' });
    expect(new Date(waiting!.nextAttemptAt!).getTime()).toBeGreaterThanOrEqual(new Date(startAt).getTime());
    // Conditions may change while scheduled.
    expect((await t.api('PATCH', `/campaigns/${c.id}`, { settings: { maxConcurrent: 3 } })).status).toBe(200);

    const started = await t.api<CampaignBody>('POST', `/campaigns/${c.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('running');
    expect(started.body.startedAt).toBeTruthy();
    const [called] = await waitSettled(t, c.id);
    expect(called).toMatchObject({ status: 'answered', lastOutcome: 'human' });
  });

  it('starts by itself when its time comes', async () => {
    const startAt = new Date(Date.now() + 1500).toISOString();
    const c = await createCampaign(t, templateId, {}, { startAt });
    expect(c.status).toBe('scheduled');
    await addBatch(t, c.id, [{ phone: magic('0007', '+7900888') }]);
    const running = await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'running', { what: 'the scheduled start' });
    expect(new Date(running.startedAt!).getTime()).toBeGreaterThanOrEqual(new Date(startAt).getTime());
    const [called] = await waitSettled(t, c.id);
    expect(called).toMatchObject({ status: 'answered' });
  });

  it('a start time moved earlier while scheduled is the one used', async () => {
    const c = await createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900999') }]);
    const edited = await t.api<CampaignBody>('PATCH', `/campaigns/${c.id}`, { startAt: new Date(Date.now() + 1000).toISOString() });
    expect(edited.status).toBe(200);
    await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'running', { what: 'the moved start' });
    const [called] = await waitSettled(t, c.id);
    expect(called).toMatchObject({ status: 'answered' });
  });
});

describe('the minute budget', () => {
  const limits = (minuteBudget: number | null) => t.api('PUT', '/settings/limits', { minuteBudget, maxConcurrentCalls: 100 });
  afterAll(async () => void (await limits(null)));

  it('a call that uses up the budget pauses the campaign (limits_exhausted); resume is refused until the budget is raised', async () => {
    const used = await t.api<{ secondsUsed: number; minuteBudget: number | null }>('GET', '/settings/limits');
    expect(used.body.minuteBudget).toBeNull();
    // One minute left: the next long call (90 s of ringing) uses it up.
    const budget = Math.floor(used.body.secondsUsed / 60) + 1;
    expect((await limits(budget)).status).toBe(200);
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 90 });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7901111') }]);
    const paused = await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'paused', { what: 'the budget pause' });
    expect(paused).toMatchObject({ statusReason: 'limits_exhausted' });
    const after = await t.api<{ secondsUsed: number; callsPlaced: number }>('GET', '/settings/limits');
    expect(after.body.secondsUsed).toBeGreaterThanOrEqual(budget * 60);

    // Every running campaign of the account stops; a new one is paused as soon as it would call.
    const other = await createCampaign(t, templateId);
    await addBatch(t, other.id, [{ phone: magic('0004', '+7901111') }]);
    const otherPaused = await waitFor(() => getCampaign(t, other.id), (x) => x.status === 'paused', { what: 'the second budget pause' });
    expect(otherPaused.statusReason).toBe('limits_exhausted');
    expect(await listAttempts(t, other.id)).toEqual([]);

    const refused = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', reason: 'limits_exhausted' });
    expect(refused.body.error.message).toContain('the minute budget is used up');

    expect((await limits(budget + 100)).status).toBe(200);
    const resumed = await t.api<CampaignBody>('POST', `/campaigns/${other.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('running');
    const [n] = await waitSettled(t, other.id);
    expect(n).toMatchObject({ status: 'answered' });
  });

  it('with a budget of 0 a running campaign is paused automatically and cannot be resumed', async () => {
    await limits(null);
    const c = await createCampaign(t, templateId);
    expect((await limits(0)).status).toBe(200);
    const paused = await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'paused', { what: 'the budget pause' });
    expect(paused.statusReason).toBe('limits_exhausted');
    expect((await t.api('POST', `/campaigns/${c.id}/resume`)).status).toBe(409);
    await limits(null);
    expect((await t.api<CampaignBody>('POST', `/campaigns/${c.id}/resume`)).body.status).toBe('running');
  });
});
