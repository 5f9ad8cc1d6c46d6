import { expect } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { freshDispatcherRound as dispatcherRound, freshOutboxRound as outboxRound } from '../../support/workerRounds.js';

/**
 * Shared steps of the campaign integration tests: a template that may call at any hour, campaign
 * settings that may call on any day, and polling helpers with a deadline (no fixed sleeps).
 */

export interface CampaignBody {
  id: string;
  name: string;
  templateId: string;
  status: 'scheduled' | 'running' | 'paused' | 'completed';
  statusReason: string | null;
  statusDetail: string | null;
  settings: Record<string, unknown> & { attempts: { initial: number; max: number } };
  startAt: string | null;
  version: number;
  numbers?: Record<string, number>;
  startedAt: string | null;
  completedAt: string | null;
}

export interface NumberBody {
  id: string;
  contactId: string;
  externalId: string | null;
  phone: string;
  status: string;
  attemptsMade: number;
  lastOutcome: string | null;
  nextAttemptAt: string | null;
  variables: Record<string, string>;
}

export interface AttemptBody {
  id: string;
  kind: string;
  campaignId: string | null;
  numberId: string | null;
  attemptNo: number;
  phone: string;
  status: string;
  outcome: string | null;
  amdVerdict: string | null;
  gender: string | null;
  result: string | null;
  tags: string[];
  durationSec: number | null;
  talkSec: number | null;
  recordingUrl: string | null;
  variables: Record<string, string>;
  error: string | null;
  scenarioVersionId: string;
  createdAt: string;
  dialedAt: string | null;
  endedAt: string | null;
}

export interface ErrorBody {
  error: { code: string; message: string; details: { path: string; message: string; reason: string }[]; reason?: string };
}

/** Every day, every hour (the default is working hours on weekdays). */
export const ALL_DAY = { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' };

/** A weekday noon in Moscow: inside the default windows too. */
export const WEEKDAY_NOON_MSK = '2030-03-06T09:00:00Z';

/** A copy of the starter template that calls Russian numbers at any hour, fast. */
export async function makeTemplate(t: TestApp, patch: Record<string, unknown> = {}): Promise<string> {
  const list = await t.api<{ templates: { id: string }[] }>('GET', '/templates');
  const starter = await t.api<{ settings: Record<string, unknown> }>('GET', `/templates/${list.body.templates[0]!.id}`);
  const res = await t.api<{ id: string }>('POST', '/templates', {
    ...starter.body.settings,
    name: `Campaign tests ${Math.random().toString(36).slice(2, 8)}`,
    country: 'RU',
    callingWindow: { from: '00:00', to: '23:59' },
    intensity: 50,
    ...patch,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export async function createCampaign(
  t: TestApp,
  templateId: string,
  settings: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  o: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<CampaignBody> {
  const res = await t.api<CampaignBody>(
    'POST',
    '/campaigns',
    { name: `Campaign ${Math.random().toString(36).slice(2, 8)}`, templateId, settings: { window: ALL_DAY, intensity: 50, ...settings }, ...extra },
    o,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function addBatch(t: TestApp, campaignId: string, items: unknown[]): Promise<{ added: number; duplicates: number; invalid: number; items: { index: number; status: string; externalId: string | null; contactId?: string; phones?: string[]; errors?: ErrorBody['error']['details'] }[] }> {
  const res = await t.api<Awaited<ReturnType<typeof addBatch>>>('POST', `/campaigns/${campaignId}/numbers/batch`, { items });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function listNumbers(t: TestApp, campaignId: string, query = ''): Promise<NumberBody[]> {
  const res = await t.api<{ numbers: NumberBody[] }>('GET', `/campaigns/${campaignId}/numbers?limit=1000${query ? `&${query}` : ''}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numbers;
}

export async function numbersByPhone(t: TestApp, campaignId: string): Promise<Record<string, NumberBody>> {
  return Object.fromEntries((await listNumbers(t, campaignId)).map((n) => [n.phone, n]));
}

export async function getCampaign(t: TestApp, id: string): Promise<CampaignBody> {
  const res = await t.api<CampaignBody>('GET', `/campaigns/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * The campaign's attempts from GET /attempts, without the dispatcher's bookkeeping rows: a claim
 * whose start slot fired late (a busy test process) is given back undialled and stays listed as a
 * "cancelled" attempt with error "released: …" (reported to the dispatcher's owner; the campaign
 * statistics, the CSV export and the per-number report leave them out).
 */
export async function listAttempts(t: TestApp, campaignId: string): Promise<AttemptBody[]> {
  const res = await t.api<{ attempts: AttemptBody[] }>('GET', `/attempts?campaignId=${campaignId}&limit=500`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.attempts.filter((a) => !(a.outcome === 'cancelled' && a.error?.startsWith('released:')));
}

/** Polls `read` until `done` holds for its value; fails with the last value after the deadline. */
/**
 * Polls `read` until `done`. The deadline only guards against a hang — the awaited state comes from
 * events (calls ending, jobs delivered), never from elapsed time — so it is generous: a loaded
 * 2-core machine may run ten times slower than an idle one, and that must not fail a test.
 * On a ManualClock pass `nudge` (move the clock a second): pacing grants start slots on the
 * simulated clock, and a slot missed on a busy machine is given up, so a clock that never moves
 * would leave the next number waiting for a slot forever.
 */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, o: { timeoutMs?: number; everyMs?: number; what?: string; nudge?: () => void } = {}): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? HANG_GUARD_MS);
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    o.nudge?.();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? 'a condition'}; last value: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 50));
  }
}

/** Waits until no number of the campaign is being dialled and none is due right now (`new`). */
export async function waitSettled(t: TestApp, campaignId: string, o: { allowNew?: boolean; timeoutMs?: number; nudge?: () => void } = {}): Promise<NumberBody[]> {
  return waitFor(
    () => listNumbers(t, campaignId),
    (ns) => ns.length > 0 && ns.every((n) => n.status !== 'dialing' && (o.allowNew || n.status !== 'new')),
    { what: `campaign ${campaignId} to settle`, timeoutMs: o.timeoutMs, nudge: o.nudge },
  );
}

/** Waits until every attempt of the campaign is completed and the recordings stored. */
export async function waitAttemptsDone(t: TestApp, campaignId: string, count: number): Promise<AttemptBody[]> {
  return waitFor(
    () => listAttempts(t, campaignId),
    (as) => as.length >= count && as.every((a) => a.status === 'completed'),
    { what: `${count} completed attempts of ${campaignId}` },
  );
}

/** How long a wait may take before the test calls it a hang (see waitFor). */
export const HANG_GUARD_MS = 120_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A dispatcher round begun after this call (see test/support/workerRounds.ts): for "nothing is called now" checks. */
export const freshDispatcherRound = (t: TestApp) => dispatcherRound(t.dozvon);

/** An outbox round begun after this call. */
export const freshOutboxRound = (t: TestApp) => outboxRound(t.dozvon);

/** "+7 900 000-00-0X" in E.164. */
export const magic = (last4: string, prefix = '+7900000') => `${prefix}${last4}`;
