import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIntake } from '../../../src/crm/amocrm/store/intakes.js';
import { pauseCampaign } from '../../../src/engine/campaigns/lifecycle.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { firstTemplate, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * C5: leads come in by selection (the card, the list's mass action) and by filter (administrators):
 * every phone of every contact of the lead, the main contact first, lead and contact fields as
 * scenario variables; leads without a phone are counted, not called; the confirmation says how
 * many phones will be called.
 */
let h: AmoHarness;
let account: Account;
let tenantId: string;
let templateId: string;

beforeAll(async () => {
  h = await startAmoHarness();
  account = await h.newAccount();
  tenantId = await h.install(account);
  templateId = (await firstTemplate(h.app, tenantId)).id;
});
afterAll(async () => h?.stop());

async function contactsOf(campaignId: string): Promise<{ external_id: string; variables: Record<string, string>; phones: string[] }[]> {
  const r = await h.app.db.query<{ external_id: string; variables: Record<string, string>; phones: string[] }>(
    `SELECT c.external_id, c.variables, array_agg(n.phone ORDER BY n.position) AS phones
     FROM campaign_contacts c JOIN campaign_numbers n ON n.contact_id = c.id WHERE c.campaign_id = $1 GROUP BY c.id ORDER BY c.external_id`,
    [campaignId],
  );
  return r.rows;
}

describe('taking leads in', () => {
  it('a selection: every phone of every contact, the main contact first; fields become variables', async () => {
    const city = account.addField({ name: 'City', type: 'text', code: 'CITY' });
    const budget = account.addField({ name: 'Budget', type: 'numeric' });
    const main = account.addContact({ firstName: 'Анна', lastName: 'Петрова', phones: [{ value: '8 (900) 111-22-33', type: 'WORK' }, { value: '+7 900 444-55-66', type: 'MOB' }] });
    const other = account.addContact({ name: 'Иван', phones: ['+7 900 777-88-99', '8 900 444 55 66'] });
    const lead = account.addLead({
      name: 'Большой заказ',
      price: 150000,
      contacts: [main, other],
      customFields: [
        { field_id: city, field_code: 'CITY', values: [{ value: 'Казань' }] },
        { field_id: budget, values: [{ value: '5000' }] },
      ],
    });
    const noPhone = account.addLead({ name: 'Пусто', contacts: [account.addContact({ name: 'Без номера' })] });
    const preview = await h.widget<{ leads: number; phones: number; without_phone: number; exact: boolean }>(account, 'POST', '/amocrm/widget/calls/preview', { template_id: templateId, lead_ids: [lead, noPhone] });
    expect(preview.body).toEqual({ leads: 2, counted: 2, phones: 3, without_phone: 1, exact: true });

    const res = await h.widget<{ campaign_id: string; name: string }>(account, 'POST', '/amocrm/widget/calls', { template_id: templateId, lead_ids: [lead, noPhone, lead], max_attempts: 2 });
    expect(res.status).toBe(202);
    expect(res.body.name).toContain('2 сделки из amoCRM');
    const intake = await waitFor('the intake', async () => {
      const i = await findIntake(h.app.db, tenantId, res.body.campaign_id);
      return i?.status === 'done' ? i : undefined;
    });
    expect(intake).toMatchObject({ fetched: 2, added: 1, skipped: 1 });
    const [c] = await contactsOf(res.body.campaign_id);
    expect(c!.external_id).toBe(`lead:${lead}`);
    // The main contact's mobile before its work number, then the other contact's new number.
    expect(c!.phones).toEqual(['+79004445566', '+79001112233', '+79007778899']);
    expect(c!.variables).toMatchObject({
      lead_id: String(lead),
      lead_name: 'Большой заказ',
      title: 'Большой заказ',
      amount: '150000',
      name: 'Анна',
      last_name: 'Петрова',
      full_name: 'Анна Петрова',
      city: 'Казань',
      [`cf_${budget}`]: '5000',
    });
    const campaign = await h.widget<{ status: string; numbers: Record<string, number>; intake: { added: number } }>(account, 'GET', `/amocrm/widget/campaigns/${res.body.campaign_id}`);
    expect(campaign.body.intake).toMatchObject({ added: 1 });
  });

  it('by filter (a pipeline stage): administrators only; pages of 250 leads', async () => {
    const pipeline = account.addPipeline('Холодные', ['Новые', 'Обзвон']);
    const stage = account.store.pipelines.get(pipeline)!.statuses[1]!.id;
    for (let i = 0; i < 260; i++) account.addLeadWithPhones(`F${i}`, [`+7903${String(i).padStart(7, '0')}`], { pipelineId: pipeline, statusId: stage });
    account.addLeadWithPhones('Other stage', ['+79030009999'], { pipelineId: pipeline });
    const manager = account.addUser({ name: 'Менеджер' });
    const body = { template_id: templateId, filter: { pipeline_id: pipeline, status_ids: [stage] } };
    const denied = await h.widget(account, 'POST', '/amocrm/widget/calls/filter', body, { userId: manager });
    expect(denied.status).toBe(403);
    const since = account.lastRequestSeq;
    const res = await h.widget<{ campaign_id: string }>(account, 'POST', '/amocrm/widget/calls/filter', body);
    expect(res.status).toBe(202);
    // Only the intake is looked at here: the 260 calls themselves need not happen.
    await pauseCampaign(h.app, tenantId, res.body.campaign_id, null);
    const intake = await waitFor('the filter intake', async () => {
      const i = await findIntake(h.app.db, tenantId, res.body.campaign_id);
      return i?.status === 'done' ? i : undefined;
    });
    expect(intake).toMatchObject({ fetched: 260, added: 260 });
    const reads = account.requests(since).filter((r) => r.method === 'GET' && (r.path === '/api/v4/leads' || r.path === '/api/v4/contacts'));
    // 2 pages of leads (250 + 10), their contacts in 2 requests.
    expect(reads.filter((r) => r.path === '/api/v4/leads')).toHaveLength(2);
    expect(reads.filter((r) => r.path === '/api/v4/contacts')).toHaveLength(2);
    expect(reads.every((r) => /limit=250/.test(r.query))).toBe(true);
  });

  it('invalid input gets a clear 422 naming the field, and nothing is created', async () => {
    const before = await h.app.db.query('SELECT count(*)::int AS n FROM campaigns WHERE tenant_id = $1', [tenantId]);
    const bad = await h.widget<{ error: { code: string; details: { path: string; message: string }[] } }>(account, 'POST', '/amocrm/widget/calls', { template_id: 'nope', lead_ids: [] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(['lead_ids', 'template_id']);
    const foreign = await h.widget(account, 'POST', '/amocrm/widget/calls', { template_id: '00000000-0000-4000-8000-000000000000', lead_ids: [1] });
    expect(foreign.status).toBe(422);
    const after = await h.app.db.query('SELECT count(*)::int AS n FROM campaigns WHERE tenant_id = $1', [tenantId]);
    expect(after.rows).toEqual(before.rows);
  });
});
