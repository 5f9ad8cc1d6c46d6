import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { addBatch, createCampaign, listAttempts, magic, makeTemplate, waitFor, waitSettled, type AttemptBody, type CampaignBody } from './helpers.js';

/**
 * Statistics (V6, T9): what the campaign report says matches the calls that were made — numbers
 * by status, reach, outcomes, durations, ineffective calls, the AMD and gender split, results —
 * and the CSV export has one line per attempt with headers in the caller's language.
 */
let t: TestApp;
let templateId: string;
let campaign: CampaignBody;
let attempts: AttemptBody[];

interface Stats {
  attempts: { total: number; placed: number; technicalErrors: number };
  outcomes: Record<string, number>;
  results: Record<string, number>;
  amd: Record<string, number>;
  gender: Record<string, number>;
  ineffective: number;
  avgDurationSec: number | null;
  avgTalkSec: number | null;
  totalTalkSec: number;
  numbers?: Record<string, number>;
  contacts?: { total: number; reached: number; unreached: number; cancelled: number; open: number };
  reach?: number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const countBy = <T>(xs: T[], key: (x: T) => string | null) => xs.reduce<Record<string, number>>((acc, x) => {
  const k = key(x);
  if (k !== null) acc[k] = (acc[k] ?? 0) + 1;
  return acc;
}, {});

beforeAll(async () => {
  t = await startTestApp({ TECH_ERRORS_PAUSE_AFTER: '100' });
  // Conversations shorter than 12 s are ineffective (T9): the short call and both dialogues here.
  templateId = await makeTemplate(t, { ineffectiveSec: 12 });
  campaign = await createCampaign(t, templateId);
  await addBatch(t, campaign.id, [
    { phone: magic('0001'), externalId: 'ext-busy' },
    { phone: magic('0002'), externalId: 'ext-silent' },
    { phone: magic('0003'), externalId: 'ext-machine' },
    { phone: magic('0004'), externalId: 'ext-anna', variables: { name: 'Anna' } },
    { phone: magic('0005'), externalId: 'ext-short' },
    { phone: magic('0006'), externalId: 'ext-sip503' },
    { phone: magic('0007'), externalId: 'ext-boris' },
    { phone: magic('0008'), externalId: 'ext-invalid' },
    { phone: magic('0009'), externalId: 'ext-refused' },
  ]);
  await waitSettled(t, campaign.id);
  attempts = await waitFor(() => listAttempts(t, campaign.id), (as) => as.length === 9 && as.every((a) => a.status === 'completed'), { what: 'nine attempts' });
});
afterAll(async () => t?.stop());

describe('campaign statistics', () => {
  it('numbers by status, contacts and reach', async () => {
    const s = (await t.api<Stats>('GET', `/campaigns/${campaign.id}/stats`)).body;
    // Reached: the two humans. Finished unreached: the machine, the short call, the number that does
    // not exist. Busy, no answer, the operator failure and the refused call wait for a redial.
    expect(s.numbers).toEqual({ answered: 2, not_answered: 2, failed: 1, callback: 4 });
    expect(s.contacts).toEqual({ total: 9, reached: 2, unreached: 3, cancelled: 0, open: 4 });
    expect(s.reach).toBe(0.4);
    const c = await t.api<CampaignBody>('GET', `/campaigns/${campaign.id}`);
    expect(c.body.numbers).toEqual(s.numbers);
  });

  it('outcomes, results, AMD and gender split, durations and ineffective calls match the attempts', async () => {
    const s = (await t.api<Stats>('GET', `/campaigns/${campaign.id}/stats`)).body;
    const calls = attempts.filter((a) => a.phone !== magic('0009'));
    expect(s.attempts).toEqual({ total: 9, placed: 8, technicalErrors: 1 });
    // Outcomes of calls that were placed; the refused request is a technical error, not an operator failure.
    expect(s.outcomes).toEqual({ busy: 1, no_answer: 1, machine: 1, human: 2, short: 1, failed: 1, invalid_number: 1 });
    expect(s.outcomes).toEqual(countBy(calls, (a) => a.outcome));
    expect(s.results).toEqual({ interested: 1, not_interested: 1 });
    expect(s.gender).toEqual({ female: 1, male: 1 });
    expect(s.amd).toEqual(countBy(calls, (a) => a.amdVerdict));
    expect(s.amd).toMatchObject({ human: 2, machine: 1 });
    const talked = calls.filter((a) => ['human', 'machine', 'short'].includes(a.outcome!));
    expect(s.avgDurationSec).toBeCloseTo(round2(calls.reduce((x, a) => x + a.durationSec!, 0) / calls.length), 2);
    expect(s.avgTalkSec).toBeCloseTo(round2(talked.reduce((x, a) => x + a.talkSec!, 0) / talked.length), 2);
    expect(s.totalTalkSec).toBeCloseTo(calls.reduce((x, a) => x + (a.talkSec ?? 0), 0), 1);
    expect(s.ineffective).toBe(3);
    const ineffective = (await t.api<{ attempts: (AttemptBody & { ineffective: boolean })[] }>('GET', `/attempts?campaignId=${campaign.id}&limit=100`)).body.attempts.filter((a) => a.ineffective);
    expect(ineffective.map((a) => a.outcome).sort()).toEqual(['human', 'human', 'short']);
  });

  it('the template statistics cover its campaigns and its test calls', async () => {
    const before = (await t.api<Stats>('GET', `/templates/${templateId}/stats`)).body;
    expect(before.attempts).toEqual({ total: 9, placed: 8, technicalErrors: 1 });
    const placed = await t.api<AttemptBody>('POST', '/test-calls', { templateId, phone: magic('0004', '+7900900'), variables: { name: 'Test' } });
    expect(placed.status).toBe(202);
    const done = (await t.api<AttemptBody>('GET', `/attempts/${placed.body.id}?wait=30`)).body;
    expect(done.outcome).toBe('human');
    const after = (await t.api<Stats>('GET', `/templates/${templateId}/stats`)).body;
    expect(after.attempts).toEqual({ total: 10, placed: 9, technicalErrors: 1 });
    expect(after.outcomes.human).toBe(3);
    expect(after.results.interested).toBe(2);
    expect(after.gender.female).toBe(2);
    expect(after.amd.human).toBe(3);
    // A template of nobody's: 404.
    expect((await t.api('GET', '/templates/01a1fcdd-0000-7000-8000-000000000000/stats')).status).toBe(404);
  });
});

describe('CSV export', () => {
  async function csv(query = '', headers: Record<string, string> = {}): Promise<{ res: Response; text: string }> {
    const res = await fetch(`${t.url}/api/v1/campaigns/${campaign.id}/attempts.csv${query}`, { headers: { authorization: `Bearer ${t.token}`, ...headers } });
    return { res, text: Buffer.from(await res.arrayBuffer()).toString('utf8') };
  }

  it('streams every attempt with a BOM and English headers; one line per attempt', async () => {
    const { res, text } = await csv();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="campaign-${campaign.id}.csv"`);
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Attempt,Phone,External id,Attempt no.,Created,Dialled,Answered,Ended,Outcome,Result,Tags,Human/machine,Gender,"Duration, s","Talk, s",Ineffective,SIP code,Error,Answers');
    expect(lines).toHaveLength(1 + attempts.length);
    const body = lines.slice(1);
    expect(body.map((l) => l.split(',')[0]).sort()).toEqual(attempts.map((a) => a.id).sort());
    const anna = body.find((l) => l.includes('ext-anna'))!;
    expect(anna).toContain(magic('0004'));
    expect(anna).toContain('Human answered');
    expect(anna).toContain('interested');
    expect(body.find((l) => l.includes('ext-busy'))).toContain('Busy');
  });

  it('in Russian: ";" separated, Russian headers and outcomes', async () => {
    const { res, text } = await csv('?lang=ru');
    expect(res.status).toBe(200);
    const lines = text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]!.split(';')[1]).toMatch(/[а-яё]/i);
    expect(lines[0]).toContain(';');
    expect(lines).toHaveLength(1 + attempts.length);
    expect(lines.find((l) => l.includes('ext-machine'))).toMatch(/[а-яё]/i);
  });

  it('a campaign with no calls exports only the header; another account cannot export it', async () => {
    const empty = await createCampaign(t, templateId);
    const res = await fetch(`${t.url}/api/v1/campaigns/${empty.id}/attempts.csv`, { headers: { authorization: `Bearer ${t.token}` } });
    const lines = (await res.text()).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(1);
    expect((await fetch(`${t.url}/api/v1/campaigns/${empty.id}/attempts.csv`)).status).toBe(401);
  });
});
