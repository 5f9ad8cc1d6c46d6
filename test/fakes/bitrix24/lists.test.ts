import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { rest } from './testSupport.js';

type Row = Record<string, unknown>;

/** Classic and universal list methods, custom fields, stages (brief §3, §5.5). */
describe('CRM lists, fields and reference data', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let token: string;
  const ids: number[] = [];

  const call = async (method: string, params: Row) => {
    const res = await rest(portal.clientEndpoint, method, params, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null });
    token = portal.issueTokens().accessToken;
    const company = portal.addCompany({ title: 'Acme', phones: ['+74950000000'] });
    for (let i = 1; i <= 75; i++) {
      const contact = portal.addContact({ name: i % 2 ? 'Anna' : 'Boris', lastName: `L${i}`, phones: [{ value: `+7999${String(i).padStart(7, '0')}`, valueType: 'MOBILE' }] });
      ids.push(portal.addDeal({ title: `Deal ${i}`, contactIds: [contact], companyId: company, opportunity: i * 100, stage: i % 5 === 0 ? 'WON' : 'NEW' }));
    }
    portal.addLead({ title: 'Lead A', name: 'Lena', phones: ['+79991112233'], emails: ['lena@example.test'] });
  });

  afterAll(async () => {
    await emu.stop();
  });

  it('pages classic lists by 50 with next/total; start=-1 gives total 0 and no next', async () => {
    const first = await call('crm.deal.list', { select: ['ID'] });
    expect((first['result'] as Row[]).length).toBe(50);
    expect([first['next'], first['total']]).toEqual([50, 75]);
    const second = await call('crm.deal.list', { select: ['ID'], start: 50 });
    expect((second['result'] as Row[]).length).toBe(25);
    expect(second['next']).toBeUndefined();
    expect(second['total']).toBe(75);
    const fast = await call('crm.deal.list', { select: ['ID'], start: -1, filter: { '>ID': 70 }, order: { ID: 'ASC' } });
    expect(fast['total']).toBe(0);
    expect(fast['next']).toBeUndefined();
    expect((fast['result'] as Row[]).map((r) => r['ID'])).toEqual(['71', '72', '73', '74', '75']);
  });

  it('applies filter prefixes, order and select like crm.deal.list', async () => {
    const won = await call('crm.deal.list', { filter: { STAGE_ID: 'WON', '>=OPPORTUNITY': 5000 }, select: ['ID', 'OPPORTUNITY', 'CLOSED'], order: { OPPORTUNITY: 'DESC' } });
    expect((won['result'] as Row[]).map((r) => r['OPPORTUNITY'])).toEqual(['7500.00', '7000.00', '6500.00', '6000.00', '5500.00', '5000.00']);
    expect((won['result'] as Row[])[0]).toEqual({ ID: '75', OPPORTUNITY: '7500.00', CLOSED: 'Y' });
    const inList = await call('crm.deal.list', { filter: { '@ID': [3, 5, 7], '!STAGE_ID': 'WON' }, select: ['ID'] });
    expect((inList['result'] as Row[]).map((r) => r['ID'])).toEqual(['3', '7']);
    const like = await call('crm.deal.list', { filter: { '%TITLE': 'deal 7' }, select: ['TITLE'] });
    expect((like['result'] as Row[]).map((r) => r['TITLE'])).toEqual(['Deal 7', 'Deal 70', 'Deal 71', 'Deal 72', 'Deal 73', 'Deal 74', 'Deal 75']);
    const pattern = await call('crm.deal.list', { filter: { '=%TITLE': 'Deal 1%', '<ID': 12 }, select: ['ID'] });
    expect((pattern['result'] as Row[]).map((r) => r['ID'])).toEqual(['1', '10', '11']);
    // '*' has no multifields and no UF; CONTACT_IDS is not selectable on crm.deal.list.
    const star = await call('crm.deal.list', { filter: { ID: ids[0] }, select: ['*', 'CONTACT_IDS'] });
    const row = (star['result'] as Row[])[0] ?? {};
    expect(row['CONTACT_ID']).toBe('1');
    expect(row).not.toHaveProperty('CONTACT_IDS');
  });

  it('returns phones only when PHONE is named, and filters phones by exact value', async () => {
    const noPhone = await call('crm.contact.list', { filter: { ID: 1 }, select: ['*'] });
    expect((noPhone['result'] as Row[])[0]).not.toHaveProperty('PHONE');
    const withPhone = await call('crm.contact.list', { filter: { PHONE: '+79990000002' }, select: ['ID', 'NAME', 'PHONE'] });
    expect(withPhone['result']).toEqual([{ ID: '2', NAME: 'Boris', PHONE: [{ ID: '3', VALUE_TYPE: 'MOBILE', VALUE: '+79990000002', TYPE_ID: 'PHONE' }] }]);
    const get = await call('crm.lead.get', { id: 1 });
    expect(get['result']).toMatchObject({ TITLE: 'Lead A', HAS_PHONE: 'Y', EMAIL: [{ VALUE: 'lena@example.test', TYPE_ID: 'EMAIL' }] });
  });

  it('adds custom fields with the UF_CRM_ prefix and enumeration ids, writes them by id and reads them with UF_*', async () => {
    const add = await call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'VB_RESULT', USER_TYPE_ID: 'enumeration', LABEL: 'Voice bot result', LIST: [{ VALUE: 'Interested', XML_ID: 'interested' }, { VALUE: 'Declined', XML_ID: 'declined' }] },
    });
    const ufId = Number(add['result']);
    const got = (await call('crm.deal.userfield.get', { id: ufId }))['result'] as Row;
    expect(got).toMatchObject({ FIELD_NAME: 'UF_CRM_VB_RESULT', ENTITY_ID: 'CRM_DEAL', USER_TYPE_ID: 'enumeration', MULTIPLE: 'N', EDIT_FORM_LABEL: 'Voice bot result' });
    const list = got['LIST'] as Row[];
    expect(list.map((i) => i['VALUE'])).toEqual(['Interested', 'Declined']);
    const interested = String(list[0]?.['ID']);
    expect((await rest(portal.clientEndpoint, 'crm.deal.userfield.add', { fields: { FIELD_NAME: 'vb_result', USER_TYPE_ID: 'string' } }, token)).body['error']).toBe('ERROR_CORE');
    expect((await rest(portal.clientEndpoint, 'crm.deal.userfield.add', { fields: { FIELD_NAME: 'BAD-NAME', USER_TYPE_ID: 'string' } }, token)).body['error_description']).toContain('invalid characters');
    expect((await rest(portal.clientEndpoint, 'crm.deal.userfield.add', { fields: { FIELD_NAME: 'X' } }, token)).body).toEqual({ error: '', error_description: "The 'USER_TYPE_ID' field is not found." });
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'VB_TAGS', USER_TYPE_ID: 'string', MULTIPLE: 'Y' } });

    await call('crm.deal.update', { id: ids[1], fields: { UF_CRM_VB_RESULT: interested, UF_CRM_VB_TAGS: ['female', 'callback'] } });
    await call('crm.deal.update', { id: ids[2], fields: { UF_CRM_VB_RESULT: 'Interested' } });
    expect(portal.deal(ids[1] ?? 0)).toMatchObject({ UF_CRM_VB_RESULT: interested, UF_CRM_VB_TAGS: ['female', 'callback'] });
    expect(portal.deal(ids[2] ?? 0)?.['UF_CRM_VB_RESULT']).toBeNull();
    const uf = await call('crm.deal.list', { filter: { UF_CRM_VB_RESULT: interested }, select: ['UF_*'] });
    expect(uf['result']).toEqual([{ ID: String(ids[1]), UF_CRM_VB_RESULT: interested }]);
    const fields = await call('crm.deal.userfield.list', { filter: { USER_TYPE_ID: 'enumeration' } });
    expect((fields['result'] as Row[]).map((r) => r['FIELD_NAME'])).toEqual(['UF_CRM_VB_RESULT']);
  });

  it('serves crm.item.list in camelCase with fm only through select *', async () => {
    const contacts = await call('crm.item.list', { entityTypeId: 3, filter: { '@id': [1, 2] }, select: ['*'] });
    const items = (contacts['result'] as { items: Row[] }).items;
    expect(items[0]).toMatchObject({ id: 1, name: 'Anna', lastName: 'L1', assignedById: 1, fm: [{ id: expect.any(Number), typeId: 'PHONE', valueType: 'MOBILE', value: '+79990000001' }] });
    const named = await call('crm.item.list', { entityTypeId: 3, filter: { id: 1 }, select: ['id', 'name', 'fm'] });
    expect((named['result'] as { items: Row[] }).items[0]).toEqual({ id: 1, name: 'Anna' });
    const deals = await call('crm.item.list', { entityTypeId: 2, filter: { contactIds: 3, '>opportunity': 100 }, select: ['id', 'stageId', 'contactIds', 'opportunity'] });
    expect((deals['result'] as { items: Row[] }).items).toEqual([{ id: 3, stageId: 'NEW', contactIds: [3], opportunity: 300 }]);
    const ufOriginal = await call('crm.item.list', { entityTypeId: 2, filter: { id: ids[1] }, select: ['*'], useOriginalUfNames: 'Y' });
    expect((ufOriginal['result'] as { items: Row[] }).items[0]).toHaveProperty('UF_CRM_VB_RESULT');
    const camelUf = await call('crm.item.list', { entityTypeId: 2, filter: { id: ids[1] }, select: ['id', 'ufCrmVbResult'] });
    expect(Object.keys((camelUf['result'] as { items: Row[] }).items[0] ?? {})).toEqual(['id', 'ufCrmVbResult']);
  });

  it('lists stages and pipelines', async () => {
    const pipeline = portal.addDealCategory('Cold calls', [{ statusId: 'NEW', name: 'To call' }, { statusId: 'DONE', name: 'Done', semantics: 'S' }]);
    const stages = await call('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${pipeline.id}` } });
    expect((stages['result'] as Row[]).map((s) => s['STATUS_ID'])).toEqual([`C${pipeline.id}:NEW`, `C${pipeline.id}:DONE`]);
    expect((stages['result'] as Row[])[1]).toMatchObject({ SEMANTICS: 'S', EXTRA: { SEMANTICS: 'success' } });
    const cats = await call('crm.category.list', { entityTypeId: 2 });
    expect((cats['result'] as { categories: Row[] }).categories.map((c) => c['name'])).toEqual(['General', 'Cold calls']);
    const dealInPipeline = portal.addDeal({ title: 'P', categoryId: pipeline.id });
    expect(portal.deal(dealInPipeline)).toMatchObject({ CATEGORY_ID: String(pipeline.id), STAGE_ID: `C${pipeline.id}:NEW`, IS_NEW: 'Y' });
  });

  it('adds and updates deals over REST, appending phones on update like the real API', async () => {
    const id = Number((await call('crm.contact.add', { fields: { NAME: 'New', PHONE: [{ VALUE: '+70000000001', VALUE_TYPE: 'WORK' }] } }))['result']);
    await call('crm.contact.update', { id, fields: { PHONE: [{ VALUE: '+70000000002', VALUE_TYPE: 'MOBILE' }] } });
    expect((portal.contact(id)?.['PHONE'] as Row[]).map((p) => p['VALUE'])).toEqual(['+70000000001', '+70000000002']);
    const dealId = Number((await call('crm.deal.add', { fields: { TITLE: 'Via REST', CONTACT_IDS: [id, 1] } }))['result']);
    expect(portal.dealContacts(dealId)).toEqual([id, 1]);
    const missing = await rest(portal.clientEndpoint, 'crm.deal.update', { id: 99999, fields: { TITLE: 'x' } }, token);
    expect([missing.status, missing.body]).toEqual([400, { error: '', error_description: 'Not found' }]);
    expect(portal.calls('crm.deal.add')).toHaveLength(1);
  });
});
