import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { rest } from './testSupport.js';

type Row = Record<string, unknown>;

/**
 * What a portal lets each user see (RD:crm-deal-get.md "Access denied") and the app triggers of
 * CRM automation (RD:api-reference/crm/automation/triggers/*.md).
 */
describe('per-user CRM access', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let seller: number;
  let mine: number;
  let theirs: number;
  let lead: number;

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null });
    seller = portal.addUser({ name: 'Sam', crmAccess: { deal: 'own', lead: 'none' } }).id;
    mine = portal.addDeal({ title: 'Mine', assignedById: seller });
    theirs = portal.addDeal({ title: 'Theirs', assignedById: 1 });
    lead = portal.addLead({ title: 'A lead', assignedById: seller });
  });
  afterAll(async () => emu.stop());

  const as = (userId: number) => {
    const token = portal.issueTokens(userId).accessToken;
    return (method: string, params: Row) => rest(portal.clientEndpoint, method, params, token);
  };

  it('get: the item the user may read; "Access denied" (empty code, HTTP 400) for one they may not; "Not found" stays first', async () => {
    const call = as(seller);
    expect((await call('crm.deal.get', { id: mine })).body['result']).toMatchObject({ TITLE: 'Mine' });
    const denied = await call('crm.deal.get', { id: theirs });
    expect([denied.status, denied.body]).toEqual([400, { error: '', error_description: 'Access denied' }]);
    expect((await call('crm.deal.get', { id: 99_999 })).body).toEqual({ error: '', error_description: 'Not found' });
    expect((await call('crm.lead.get', { id: lead })).body).toEqual({ error: '', error_description: 'Access denied' });
    expect((await call('crm.deal.contact.items.get', { id: theirs })).body['error_description']).toBe('Access denied');
    expect((await call('crm.item.get', { entityTypeId: 2, id: theirs })).status).toBe(403);
  });

  it('list methods leave out what the user may not read, also inside a batch', async () => {
    const call = as(seller);
    const list = await call('crm.deal.list', { filter: { '@ID': [mine, theirs] }, select: ['ID'] });
    expect((list.body['result'] as Row[]).map((r) => Number(r['ID']))).toEqual([mine]);
    const items = await call('crm.item.list', { entityTypeId: 2, filter: { '@id': [mine, theirs] }, select: ['id'] });
    expect(((items.body['result'] as { items: Row[] }).items).map((r) => r['id'])).toEqual([mine]);
    const batch = await call('batch', { halt: 0, cmd: { a: `crm.deal.list?filter[@ID][0]=${mine}&filter[@ID][1]=${theirs}&select[0]=ID`, b: `crm.deal.get?id=${theirs}` } });
    const result = batch.body['result'] as { result: Record<string, Row[]>; result_error: Record<string, Row> };
    expect(result.result['a']!.map((r) => Number(r['ID']))).toEqual([mine]);
    expect(result.result_error['b']).toEqual({ error: '', error_description: 'Access denied' });
  });

  it('administrators and users without a role setting read everything; a changed role applies at once', async () => {
    expect((await as(1)('crm.deal.get', { id: theirs })).status).toBe(200);
    const plain = portal.addUser({ name: 'Pat' }).id;
    expect((await as(plain)('crm.deal.get', { id: theirs })).status).toBe(200);
    portal.setCrmAccess(plain, { deal: 'none' });
    expect((await as(plain)('crm.deal.get', { id: theirs })).body['error_description']).toBe('Access denied');
  });
});

describe('app triggers', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let admin: (method: string, params: Row) => ReturnType<typeof rest>;

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null });
    const token = portal.issueTokens(1).accessToken;
    admin = (method, params) => rest(portal.clientEndpoint, method, params, token);
  });
  afterAll(async () => emu.stop());

  it('registers (a second add renames), lists and deletes triggers as an administrator in application context', async () => {
    expect((await admin('crm.automation.trigger.add', { CODE: 'call_done', NAME: 'Call done' })).body['result']).toBe(true);
    expect((await admin('crm.automation.trigger.add', { CODE: 'call_done', NAME: 'Call completed' })).body['result']).toBe(true);
    expect((await admin('crm.automation.trigger.list', {})).body['result']).toEqual([{ NAME: 'Call completed', CODE: 'call_done' }]);
    expect((await admin('crm.automation.trigger.add', { CODE: 'bad code', NAME: 'x' })).body).toEqual({ error: '', error_description: 'Wrong trigger code!' });
    expect((await admin('crm.automation.trigger.add', { CODE: 'x', NAME: '' })).body).toEqual({ error: '', error_description: 'Empty trigger name!' });
    expect((await admin('crm.automation.trigger.delete', { CODE: 'nope' })).body).toEqual({ error: '', error_description: 'Trigger not found' });

    const user = rest.bind(null, portal.clientEndpoint);
    const plain = portal.addUser({ name: 'U' }).id;
    expect((await user('crm.automation.trigger.add', { CODE: 'y', NAME: 'Y' }, portal.issueTokens(plain).accessToken)).body).toEqual({
      error: 'ACCESS_DENIED',
      error_description: 'Access denied! Admin permissions required',
    });
    const hook = portal.createWebhook(1);
    const viaHook = await fetch(`${hook.url}crm.automation.trigger.add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ CODE: 'z', NAME: 'Z' }) });
    expect(await viaHook.json()).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Application context required' });
  });

  it('executes a registered trigger for an item and records it; unknown codes and bad owners are refused', async () => {
    const deal = portal.addDeal({ title: 'D' });
    expect((await admin('crm.automation.trigger.execute', { CODE: 'call_done', OWNER_TYPE_ID: 2, OWNER_ID: deal })).body['result']).toBe(true);
    // "true" even for an item that does not exist (RD:crm-automation-trigger-execute.md).
    expect((await admin('crm.automation.trigger.execute', { CODE: 'call_done', OWNER_TYPE_ID: 2, OWNER_ID: 424_242 })).body['result']).toBe(true);
    expect((await admin('crm.automation.trigger.execute', { CODE: 'other', OWNER_TYPE_ID: 2, OWNER_ID: deal })).body).toEqual({
      error: '',
      error_description: 'Trigger with code other is not registered.',
    });
    expect((await admin('crm.automation.trigger.execute', { CODE: 'call_done', OWNER_TYPE_ID: 99, OWNER_ID: deal })).body['error_description']).toBe('Incorrect parameter OWNER_TYPE_ID.');
    expect((await admin('crm.automation.trigger.execute', { CODE: 'call_done', OWNER_TYPE_ID: 2, OWNER_ID: 0 })).body['error_description']).toBe('Incorrect parameter OWNER_ID.');
    expect(portal.triggerRuns('call_done').map((r) => [r.ownerTypeId, r.ownerId, r.userId])).toEqual([
      [2, deal],
      [2, 424_242],
    ].map(([t, id]) => [t, id, 1]));
  });

  it('removes the triggers on uninstall', async () => {
    await portal.uninstallApp();
    expect(portal.triggers()).toEqual([]);
  });
});
