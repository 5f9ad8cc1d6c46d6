import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkMp3 } from '../../support/mp3.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { firstTemplate, settleAmo, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * Install → "Call now" in a lead card → the call → what lands on the lead, for each sandbox magic
 * number: one `call_out` note (uniq = our attempt, talk time, number, a playable MP3 link,
 * call_status and call_result in the account's language), tags added next to the lead's own, and
 * the fields the administrator chose.
 */
interface Case {
  digit: string;
  outcome: string;
  callStatus: number;
  recording: boolean;
  tags: string[];
  result?: string;
  gender?: 'Женщина' | 'Мужчина';
}

const CASES: Case[] = [
  { digit: '1', outcome: 'Занято', callStatus: 7, recording: false, tags: ['Бот: Занято'] },
  { digit: '3', outcome: 'Автоответчик', callStatus: 3, recording: true, tags: ['Бот: Автоответчик'] },
  { digit: '4', outcome: 'Ответил человек', callStatus: 4, recording: true, tags: ['Бот: Ответил человек', 'Бот: Женщина', 'Бот: interested', 'positive'], result: 'interested', gender: 'Женщина' },
  { digit: '7', outcome: 'Ответил человек', callStatus: 4, recording: true, tags: ['Бот: Ответил человек', 'Бот: Мужчина', 'Бот: not_interested', 'negative'], result: 'not_interested', gender: 'Мужчина' },
];

let h: AmoHarness;
let account: Account;
let tenantId: string;
let templateId: string;
let fields: { result: number; gender: number; answers: number; female: number; male: number };

beforeAll(async () => {
  h = await startAmoHarness();
  account = await h.newAccount();
  tenantId = await h.install(account);
  templateId = (await firstTemplate(h.app, tenantId)).id;
  // The administrator picks lead fields for the result, the gender (a list) and the answers.
  const result = account.addField({ name: 'Итог звонка', type: 'text' });
  const gender = account.addField({ name: 'Пол', type: 'select', enums: ['Ж', 'М'] });
  const answers = account.addField({ name: 'Ответы', type: 'textarea' });
  const items = account.store.fields.get(gender)!.enums!;
  fields = { result, gender, answers, female: items[0]!.id, male: items[1]!.id };
  const saved = await h.widget(account, 'PUT', '/amocrm/widget/settings', {
    fields: { result: { fieldId: result }, gender: { fieldId: gender, female: fields.female, male: fields.male }, answers: { fieldId: answers } },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
});
afterAll(async () => h?.stop());

describe('a call from the lead card, written back to the lead', () => {
  it.each(CASES)('+7900000000$digit: $outcome', async (c) => {
    const lead = account.addLeadWithPhones(`Сделка ${c.digit}`, [`+7 900 000-00-0${c.digit}`], { tags: ['vip', 'март'] });
    const res = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: templateId, lead_ids: [lead], max_attempts: 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [note] = await waitFor('the call note', () => {
      const n = account.notes(lead, 'call_out');
      return n.length ? n : undefined;
    }, 30_000);
    await settleAmo(h.app, tenantId);
    expect(account.notes(lead, 'call_out')).toHaveLength(1);
    const history = await h.widget<{ calls: { attemptId: string; outcome: string; recordingUrl: string | null }[] }>(account, 'GET', `/amocrm/widget/history?lead_id=${lead}`);
    const call = history.body.calls[0]!;
    expect(note!.params).toMatchObject({
      uniq: call.attemptId,
      phone: `+7900000000${c.digit}`,
      source: 'Голосовой бот Dozvon',
      call_status: c.callStatus,
    });
    expect(String(note!.params.call_result)).toContain(c.outcome);
    if (c.result) expect(String(note!.params.call_result)).toContain(c.result);
    expect(Number.isInteger(note!.params.duration)).toBe(true);
    if (c.recording) {
      // The same MP3: the note's link is permanent (exp=0), the panel's expires.
      const media = (u: unknown) => new URL(String(u)).pathname;
      expect(media(note!.params.link)).toBe(media(call.recordingUrl));
      expect(new URL(String(note!.params.link)).searchParams.get('exp')).toBe('0');
      expect(Number(new URL(String(call.recordingUrl)).searchParams.get('exp'))).toBeGreaterThan(0);
      const audio = await fetch(String(note!.params.link), { headers: { range: 'bytes=0-' } });
      expect(audio.status).toBe(206);
      expect(audio.headers.get('content-type')).toBe('audio/mpeg');
      expect(audio.headers.get('accept-ranges')).toBe('bytes');
      expect(walkMp3(Buffer.from(await audio.arrayBuffer())).frames).toBeGreaterThan(10);
    } else {
      expect(note!.params.link).toBeUndefined();
    }
    // Tags: ours added, the lead's own kept (never replaced).
    expect(account.tags(lead).sort()).toEqual(['vip', 'март', ...c.tags].sort());
    // Fields: the result (or the outcome), the gender item, the answers.
    expect(account.fieldValue(lead, fields.result)).toEqual([c.result ?? c.outcome]);
    if (c.gender) expect(account.fieldValue(lead, fields.gender)).toEqual([c.gender === 'Женщина' ? fields.female : fields.male]);
    else expect(account.fieldValue(lead, fields.gender)).toBeUndefined();
    if (c.result) expect(String(account.fieldValue(lead, fields.answers)?.[0])).toContain('?');
  });

  it('the card history shows the calls with outcome, gender, result and the recording link', async () => {
    const lead = account.addLeadWithPhones('История', ['+79000000004']);
    await h.widget(account, 'POST', '/amocrm/widget/calls', { template_id: templateId, lead_ids: [lead] });
    const calls = await waitFor('a finished call in the history', async () => {
      const r = await h.widget<{ calls: { outcome: string | null; recordingPending: boolean }[] }>(account, 'GET', `/amocrm/widget/history?lead_id=${lead}`);
      return r.body.calls[0]?.outcome && !r.body.calls[0].recordingPending ? r.body.calls : undefined;
    }, 30_000);
    expect(calls[0]).toMatchObject({ phone: '+79000000004', outcome: 'human', outcomeText: 'Ответил человек', gender: 'female', result: 'interested', templateName: expect.any(String) });
    expect(calls[0]).toHaveProperty('recordingUrl', expect.stringContaining('/recordings/'));
  });
});
