import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { amoJobs, firstTemplate, settleAmo, startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * Digital Pipeline (brief §4): a lead entering the stage fires the widget's hook (JSON or
 * form-encoded), answered at once; the lead is called and written back; the trigger's key is
 * checked; an event is taken once; a stage move re-reads the lead first (gotcha 19).
 */
let h: AmoHarness;
let account: Account;
let tenantId: string;
let template: { id: string; name: string; body: TemplateSettings };
let dpKey: string;

beforeAll(async () => {
  h = await startAmoHarness();
  account = await h.newAccount();
  tenantId = await h.install(account);
  template = await firstTemplate(h.app, tenantId);
  dpKey = (await h.widget<{ dp_key: string }>(account, 'GET', '/amocrm/widget/templates')).body.dp_key;
});
afterAll(async () => h?.stop());

async function notesOf(lead: number): Promise<ReturnType<Account['notes']>> {
  return waitFor('the call note', () => {
    const n = account.notes(lead, 'call_out');
    return n.length ? n : undefined;
  }, 30_000);
}

describe('the Digital Pipeline action', () => {
  it.each(['json', 'form'] as const)('a %s hook is answered at once (202) and the lead is called and written back', async (encoding) => {
    const lead = account.addLeadWithPhones(`DP ${encoding}`, ['+79000000004'], { tags: ['keep'] });
    const hook = await account.fireDp(h.integration.clientId, { leadId: lead, settings: { template_id: template.id, dp_key: dpKey, max_attempts: '1' }, encoding });
    // Answered inside amoCRM's budget: the emulator gives up after 2 s and records no status.
    // (No wall-clock assertion beyond that: the call itself happens after the answer.)
    expect(hook.status, hook.body).toBe(202);
    const [note] = await notesOf(lead);
    expect(note!.params).toMatchObject({ phone: '+79000000004', call_status: 4 });
    await settleAmo(h.app, tenantId);
    expect(account.tags(lead)).toEqual(expect.arrayContaining(['keep', 'Бот: Ответил человек', 'positive']));
  }, 120_000);

  it('a wrong key is refused (403): nothing is queued, called or written', async () => {
    const lead = account.addLeadWithPhones('DP forged', ['+79000000004']);
    const before = (await amoJobs(h.app, tenantId)).length;
    for (const key of ['wrong', `${dpKey}x`, '']) {
      const hook = await account.fireDp(h.integration.clientId, { leadId: lead, settings: { template_id: template.id, dp_key: key } });
      expect(hook.status, key).toBeGreaterThanOrEqual(400);
      expect(hook.status, key).toBeLessThan(500);
    }
    expect((await amoJobs(h.app, tenantId)).length).toBe(before);
    expect(account.notes(lead)).toHaveLength(0);
  });

  it('the same event twice is taken once; leaving the stage is ignored', async () => {
    const lead = account.addLeadWithPhones('DP twice', ['+79000000001']);
    const at = Math.floor(Date.now() / 1000);
    const first = await account.fireDp(h.integration.clientId, { leadId: lead, eventTime: at, settings: { template_id: template.id, dp_key: dpKey, max_attempts: '1' } });
    const second = await account.fireDp(h.integration.clientId, { leadId: lead, eventTime: at, settings: { template_id: template.id, dp_key: dpKey, max_attempts: '1' } });
    expect([first.status, second.status]).toEqual([202, 200]);
    expect(JSON.parse(second.body)).toEqual({ status: 'duplicate' });
    const away = await account.fireDp(h.integration.clientId, { leadId: lead, direction: 'went_from_trigger', settings: { template_id: template.id, dp_key: dpKey } });
    expect(JSON.parse(away.body)).toEqual({ status: 'ignored' });
    await notesOf(lead);
    await settleAmo(h.app, tenantId);
    expect(account.notes(lead, 'call_out')).toHaveLength(1);
  });

  it('a lead without a phone gets a note saying why nobody was called', async () => {
    const lead = account.addLead({ name: 'No phone', contacts: [account.addContact({ name: 'Ghost' })] });
    expect((await account.fireDp(h.integration.clientId, { leadId: lead, settings: { template_id: template.id, dp_key: dpKey } })).status).toBe(202);
    const note = await waitFor('the no-phone note', () => account.notes(lead, 'common')[0]);
    expect(String(note.params.text)).toContain('нет контакта с номером');
  });

  it('moves the lead to the mapped stage — unless a person moved it meanwhile (re-read first)', async () => {
    const pipeline = account.store.mainPipeline;
    const [incoming, first, , decision] = pipeline.statuses;
    await updateTemplate(h.app, tenantId, null, template.id, {
      ...template.body,
      callingWindow: { from: '00:00', to: '23:59' },
      crm: { amocrm: { statusByResult: { interested: { pipelineId: pipeline.id, statusId: decision!.id } } } },
    });
    const stays = account.addLeadWithPhones('Moves', ['+79000000004'], { statusId: first!.id });
    const moved = account.addLeadWithPhones('Moved by a person', ['+79000000004'], { statusId: first!.id });
    // Both entered `first` (what the hooks say); a person has since moved one of them back.
    for (const lead of [stays, moved]) {
      expect((await account.fireDp(h.integration.clientId, { leadId: lead, statusId: first!.id, settings: { template_id: template.id, dp_key: dpKey, max_attempts: '1' } })).status).toBe(202);
    }
    account.moveLead(moved, incoming!.id);
    await notesOf(stays);
    await notesOf(moved);
    await settleAmo(h.app, tenantId);
    expect(account.lead(stays)!.status_id).toBe(decision!.id);
    expect(account.lead(moved)!.status_id).toBe(incoming!.id);
  });
});
