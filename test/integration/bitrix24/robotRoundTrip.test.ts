import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import type { Portal, TimelineEntry, Workflow } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, type B24Harness } from './support.js';

/**
 * C2 + C6 end to end, for every sandbox magic number: a deal reaches the stage, the robot calls its
 * contact, the workflow gets the results, and the deal's timeline shows the call with its recording,
 * a comment in the portal's language and the fields.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let code: string;

interface Case {
  digit: string;
  outcome: string;
  statusCode: string;
  recording: boolean;
  gender?: string;
  result?: string;
  outcomeText: string;
}

const CASES: Case[] = [
  { digit: '1', outcome: 'busy', statusCode: '486', recording: false, outcomeText: 'Busy' },
  { digit: '2', outcome: 'no_answer', statusCode: '304', recording: false, outcomeText: 'No answer' },
  { digit: '3', outcome: 'machine', statusCode: '200', recording: true, gender: 'unknown', outcomeText: 'Answering machine' },
  { digit: '4', outcome: 'human', statusCode: '200', recording: true, gender: 'female', result: 'interested', outcomeText: 'Human answered' },
  { digit: '5', outcome: 'short', statusCode: '200', recording: true, outcomeText: 'Short call' },
  { digit: '6', outcome: 'failed', statusCode: '503', recording: false, outcomeText: 'Operator failure' },
  { digit: '7', outcome: 'human', statusCode: '200', recording: true, gender: 'male', result: 'not_interested', outcomeText: 'Human answered' },
  { digit: '8', outcome: 'invalid_number', statusCode: '404', recording: false, outcomeText: 'Number does not exist' },
];

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal();
  tenantId = await h.install(portal);
  code = portal.robots()[0]!.code;
});
afterAll(async () => h?.stop());

const comments = (entries: TimelineEntry[]) => entries.filter((e): e is Extract<TimelineEntry, { kind: 'comment' }> => e.kind === 'comment');
const calls = (entries: TimelineEntry[]) => entries.filter((e): e is Extract<TimelineEntry, { kind: 'activity' }> => e.kind === 'activity' && e.activity.providerId === 'VOXIMPLANT_CALL');

describe('robot → call → return values → timeline, for each sandbox magic number', () => {
  const runs = new Map<string, { deal: number; contact: number; wf: Workflow }>();

  beforeAll(async () => {
    for (const c of CASES) {
      const contact = portal.addContact({ name: 'Anna', lastName: `Case${c.digit}`, phones: [`+7 900 000-00-0${c.digit}`] });
      const deal = portal.addDeal({ title: `Deal ${c.digit}`, contactIds: [contact], opportunity: 1500, assignedById: 1 });
      const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1' } });
      expect(wf.delivery?.status).toBe(200);
      runs.set(c.digit, { deal, contact, wf });
    }
    await Promise.all([...runs.values()].map((r) => r.wf.settled(60_000)));
    await settleOutbox(h.app, tenantId);
  }, 120_000);

  it.each(CASES)('…000$digit → $outcome', async (c) => {
    const { deal, contact, wf } = runs.get(c.digit)!;
    expect(wf.status).toBe('completed');
    // Values as the workflow sees them (the portal keeps what was posted; compare as text).
    const rv = Object.fromEntries(Object.entries(wf.returnValues ?? {}).map(([k, v]) => [k, String(v)]));
    expect(Object.keys(rv).sort()).toEqual(['answers', 'attempts', 'duration', 'final', 'gender', 'outcome', 'recording_url', 'result']);
    // One call per number here: the number is done, the answer is final.
    expect(rv).toMatchObject({ outcome: c.outcome, attempts: '1', final: 'Y' });
    if (c.gender) expect(rv.gender).toBe(c.gender);
    if (c.result) expect(rv.result).toBe(c.result);
    if (c.outcome === 'human') expect(rv.answers).toContain(':');
    expect(Number(rv.duration)).toBeGreaterThanOrEqual(0);
    // Workflow log: one line, the answer naming the call that closed the number. The number was
    // called at once, so no "queued" line; the call's own line travels with the answer. Not one
    // bizproc.activity.log command for the run.
    expect(wf.logs).toEqual([`Dozvon: call 1 to +7900000000${c.digit}: ${c.outcomeText}; done — ${c.outcomeText}, calls made: 1`]);
    expect(portal.calls('bizproc.activity.log').filter((x) => JSON.stringify(x.params).includes(wf.eventToken))).toHaveLength(0);

    const timeline = portal.timeline('deal', deal);
    const [comment, ...moreComments] = comments(timeline);
    expect(moreComments).toHaveLength(0);
    expect(comment!.comment).toContain(`Voice bot call to +7900000000${c.digit}`);
    expect(comment!.comment).toContain(`Outcome: ${c.outcomeText}`);
    if (c.result) expect(comment!.comment).toContain(`Result: ${c.result}`);
    if (c.gender === 'female') expect(comment!.comment).toContain('Gender: Female');

    const [call, ...moreCalls] = calls(timeline);
    expect(moreCalls).toHaveLength(0);
    const ext = portal.externalCall(call!.activity.callId!)!;
    expect(ext).toMatchObject({ finished: true, statusCode: c.statusCode, show: false, addToChat: false, crmEntityType: 'CONTACT', crmEntityId: contact, phoneNumber: `+7900000000${c.digit}` });
    expect(ext.externalCallId).toMatch(/^dozvon-/);
    expect(call!.activity.bindings).toContainEqual({ entityTypeId: 2, entityId: deal });
    if (c.recording) {
      // The MP3 copy (an MPEG audio frame header: 11 sync bits), not the WAV original.
      expect(ext.record?.bytes[0]).toBe(0xff);
      expect((ext.record?.bytes[1] ?? 0) & 0xe0).toBe(0xe0);
      expect(ext.record?.name).toMatch(/\.mp3$/);
      expect(rv.recording_url).toMatch(/\/recordings\/[0-9a-f-]+\?exp=0&sig=/);
      expect(ext.record?.sourceUrl).toBe(rv.recording_url);
      const res = await fetch(rv.recording_url!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
    } else {
      expect(ext.record).toBeNull();
      expect(rv.recording_url).toBe('');
    }

    const fields = portal.deal(deal)!;
    expect(fields.UF_CRM_DOZVON_RESULT).toBe(c.result ?? c.outcome);
    expect(fields.UF_CRM_DOZVON_LAST_CALL).toBeTruthy();
    const genderField = portal.userFields('deal').find((f) => f.FIELD_NAME === 'UF_CRM_DOZVON_GENDER')!;
    const items = genderField.LIST as { ID: string; XML_ID: string }[];
    if (c.gender === 'female' || c.gender === 'male') expect(String(fields.UF_CRM_DOZVON_GENDER)).toBe(items.find((i) => i.XML_ID === c.gender)!.ID);
  });

  it('wrote each call once: one register, one finish and one comment per call', () => {
    expect(portal.calls('telephony.externalcall.register').filter((c) => c.status === 200)).toHaveLength(CASES.length);
    expect(portal.calls('telephony.externalcall.finish').filter((c) => c.status === 200)).toHaveLength(CASES.length);
    expect(portal.calls('crm.timeline.comment.add').filter((c) => c.status === 200)).toHaveLength(CASES.length);
    expect(portal.calls('bizproc.event.send').filter((c) => c.status === 200)).toHaveLength(CASES.length);
  });
});

describe('what a robot run takes from the CRM', () => {
  it('calls every phone of every contact of the deal, with CRM fields as scenario variables', async () => {
    const company = portal.addCompany({ title: 'Horns & Hooves' });
    const a = portal.addContact({ name: 'Olga', lastName: 'Ivanova', phones: ['+79001110002', { value: '+7 (900) 111-00-01', valueType: 'MOBILE' }] });
    const b = portal.addContact({ name: 'Oleg', phones: ['+79001110004'] });
    const deal = portal.addDeal({ title: 'Big one', contactIds: [a, b], companyId: company, opportunity: 99000, currency: 'RUB' });
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}`, properties: { max_attempts: '1', variables: 'product=the new tariff\nbad line' } });
    expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    // Reached on …0004: the other numbers were closed or called; the human answer decides.
    expect(wf.returnValues).toMatchObject({ outcome: 'human', result: 'interested', gender: 'female' });
    const r = await h.app.db.query<{ phone: string; variables: Record<string, string> }>(
      `SELECT a.phone, a.variables FROM attempts a JOIN campaign_contacts c ON c.id = a.contact_id WHERE c.external_id = $1 AND c.tenant_id = $2`,
      [`DEAL_${deal}`, tenantId],
    );
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows[0]!.variables).toMatchObject({ name: 'Olga', last_name: 'Ivanova', full_name: 'Olga Ivanova', company: 'Horns & Hooves', title: 'Big one', amount: '99000', currency: 'RUB', product: 'the new tariff', deal_id: String(deal) });
    const numbers = await h.app.db.query<{ phone: string }>(
      `SELECT n.phone FROM campaign_numbers n JOIN campaign_contacts c ON c.id = n.contact_id WHERE c.external_id = $1 AND c.tenant_id = $2 ORDER BY n.position`,
      [`DEAL_${deal}`, tenantId],
    );
    expect(numbers.rows.map((n) => n.phone)).toEqual(['+79001110002', '+79001110001', '+79001110004']);
  });

  it('answers a deal without any phone at once with invalid_number', async () => {
    const contact = portal.addContact({ name: 'Nobody' });
    const deal = portal.addDeal({ title: 'No phone', contactIds: [contact] });
    const wf = await portal.runRobot({ code, document: `DEAL_${deal}` });
    expect(await wf.settled(30_000)).toBe('completed');
    expect(wf.returnValues).toMatchObject({ outcome: 'invalid_number', attempts: 0, recording_url: '' });
  });

  it('calls a lead on its own phones', async () => {
    const lead = portal.addLead({ title: 'Inbound', name: 'Ira', phones: ['+79000000004'] });
    const wf = await portal.runRobot({ code, document: `LEAD_${lead}`, properties: { max_attempts: '1' } });
    expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    expect(wf.returnValues).toMatchObject({ outcome: 'human', result: 'interested' });
    expect(comments(portal.timeline('lead', lead))).toHaveLength(1);
    expect(calls(portal.timeline('lead', lead))).toHaveLength(1);
    expect(portal.lead(lead)!.UF_CRM_DOZVON_RESULT).toBe('interested');
  });

  it('moves the deal to the stage the template maps the result to', async () => {
    const [tpl] = await listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId);
    await updateTemplate(h.app, tenantId, null, tpl!.id, { ...tpl!.body, crm: { bitrix24: { stageByResult: { interested: 'WON', not_interested: 'LOSE' } } } });
    const yes = portal.addDeal({ title: 'Yes', contactIds: [portal.addContact({ name: 'Y', phones: ['+79060000004'] })] });
    const no = portal.addDeal({ title: 'No', contactIds: [portal.addContact({ name: 'N', phones: ['+79060000007'] })] });
    const busy = portal.addDeal({ title: 'Busy', contactIds: [portal.addContact({ name: 'B', phones: ['+79060000001'] })] });
    const flows = await Promise.all([yes, no, busy].map((d) => portal.runRobot({ code, document: `DEAL_${d}`, properties: { max_attempts: '1' } })));
    for (const wf of flows) expect(await wf.settled(60_000)).toBe('completed');
    await settleOutbox(h.app, tenantId);
    expect(portal.deal(yes)!.STAGE_ID).toBe('WON');
    expect(portal.deal(no)!.STAGE_ID).toBe('LOSE');
    expect(portal.deal(busy)!.STAGE_ID).toBe('NEW');
  }, 60_000);
});
