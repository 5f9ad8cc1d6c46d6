import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { RecordingApp, rest } from './testSupport.js';

const MP3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0xff, 0xfb, 0x90, 0x64]);

/** External calls, records and timeline write-back (brief §5). */
describe('telephony and timeline write-back', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let files: RecordingApp;
  let token: string;
  let contactId: number;
  let dealId: number;

  const call = async (method: string, params: Record<string, unknown>) => rest(portal.clientEndpoint, method, params, token);

  beforeAll(async () => {
    files = await new RecordingApp().start();
    files.on('/recordings/1.mp3', () => ({ status: 200, body: MP3, headers: { 'content-type': 'audio/mpeg' } }));
    files.on('/recordings/missing.mp3', () => ({ status: 404, body: 'nope' }));
    emu = await startBitrix24Emulator({ app: { handlerUrl: `${files.url}/bitrix24/app` } });
    portal = await emu.createPortal({ rateLimit: null });
    contactId = portal.addContact({ name: 'Olga', phones: [{ value: '+7 999 000-00-04', valueType: 'MOBILE' }] });
    dealId = portal.addDeal({ title: 'Call me', contactIds: [contactId] });
    token = portal.issueTokens().accessToken;
  });

  afterAll(async () => {
    await emu.stop();
    await files.stop();
  });

  it('registers, finishes (creating a call activity on the contact), binds it to the deal and attaches a downloaded record', async () => {
    const reg = await call('telephony.externalCall.register', {
      USER_ID: 1, PHONE_NUMBER: '+79990000004', TYPE: 1, SHOW: 0, ADD_TO_CHAT: 0, EXTERNAL_CALL_ID: 'dozvon-1', CALL_START_DATE: '2026-03-07T10:20:30+03:00',
    });
    expect(reg.status).toBe(200);
    const registered = reg.body['result'] as Record<string, unknown>;
    expect(registered).toMatchObject({ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contactId, CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [] });
    const callId = String(registered['CALL_ID']);
    expect(callId).toMatch(/^externalCall\.[0-9a-f]{32}\.\d+$/);

    const early = await call('telephony.externalcall.attachRecord', { CALL_ID: callId, RECORD_URL: `${files.url}/recordings/1.mp3` });
    expect(early.body).toMatchObject({ error: 'ERROR_CORE', error_description: expect.stringContaining('not finished yet') });

    const fin = await call('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1, DURATION: 42, STATUS_CODE: '200' });
    const finished = fin.body['result'] as Record<string, unknown>;
    expect(finished).toMatchObject({ CALL_ID: callId, CALL_DURATION: 42, CALL_FAILED_CODE: '200', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contactId, EXTERNAL_CALL_ID: 'dozvon-1' });
    const activityId = Number(finished['CRM_ACTIVITY_ID']);
    expect(portal.timeline('contact', contactId).map((e) => e.kind)).toEqual(['activity']);
    expect(portal.timeline('deal', dealId)).toEqual([]);

    expect((await call('crm.activity.binding.add', { activityId, entityTypeId: 2, entityId: dealId })).body['result']).toBe(true);
    expect((await call('crm.activity.binding.add', { activityId, entityTypeId: 2, entityId: dealId })).body).toMatchObject({ error: 'ACTIVITY_IS_ALREADY_BOUND' });

    const rec = await call('telephony.externalcall.attachRecord', { CALL_ID: callId, RECORD_URL: `${files.url}/recordings/1.mp3` });
    expect(rec.body['result']).toEqual({ FILE_ID: expect.any(Number) });
    const timeline = portal.timeline('deal', dealId);
    expect(timeline).toHaveLength(1);
    const entry = timeline[0];
    if (entry?.kind !== 'activity') throw new Error('expected an activity');
    expect(entry.activity).toMatchObject({ providerId: 'VOXIMPLANT_CALL', typeId: 2, direction: 2, callId, completed: true });
    expect(entry.activity.files[0]).toMatchObject({ name: '1.mp3', contentType: 'audio/mpeg', sourceUrl: `${files.url}/recordings/1.mp3` });
    expect(entry.activity.files[0]?.bytes.equals(MP3)).toBe(true);
    expect(portal.externalCall(callId)?.record?.bytes.equals(MP3)).toBe(true);

    const broken = await call('telephony.externalcall.attachRecord', { CALL_ID: callId, RECORD_URL: `${files.url}/recordings/missing.mp3` });
    expect(broken.body).toEqual({ error: 'ERROR_CORE', error_description: 'Server returns HTTP error code 404' });
  });

  it('returns the open CALL_ID for a repeat within 30 minutes with the same key fields (gotcha 7)', async () => {
    const params = { USER_ID: 1, PHONE_NUMBER: '+79990000099', TYPE: 1, CRM_CREATE: 1 };
    const first = (await call('telephony.externalcall.register', params)).body['result'] as Record<string, unknown>;
    expect(first['CRM_CREATED_LEAD']).toEqual(expect.any(Number));
    const second = (await call('telephony.externalcall.register', params)).body['result'] as Record<string, unknown>;
    expect(second['CALL_ID']).toBe(first['CALL_ID']);
    const unique = (await call('telephony.externalcall.register', { ...params, EXTERNAL_CALL_ID: 'other' })).body['result'] as Record<string, unknown>;
    expect(unique['CALL_ID']).not.toBe(first['CALL_ID']);
    expect((await call('telephony.externalcall.finish', { CALL_ID: first['CALL_ID'], USER_ID: 1, DURATION: 0 })).status).toBe(200);
    const again = await call('telephony.externalcall.finish', { CALL_ID: second['CALL_ID'], USER_ID: 1, DURATION: 0 });
    // Empty code, as in the real answer quoted in b24-rest-docs issue #175.
    expect(again.body).toEqual({ error: '', error_description: 'Call is not found (call should be registered prior to finishing)' });
    expect(portal.externalCall(String(first['CALL_ID']))?.statusCode).toBe('304');
    // After 30 minutes a repeat is a new call even if the old one is still open.
    const open = (await call('telephony.externalcall.register', { ...params, EXTERNAL_CALL_ID: 'x' })).body['result'] as Record<string, unknown>;
    emu.clock.advance(31 * 60_000);
    const later = (await call('telephony.externalcall.register', { ...params, EXTERNAL_CALL_ID: 'x' })).body['result'] as Record<string, unknown>;
    expect(later['CALL_ID']).not.toBe(open['CALL_ID']);
  });

  it('attaches records from base64 and through the upload URL; checks the extension', async () => {
    const reg = (await call('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: '+79990000004', TYPE: 1, EXTERNAL_CALL_ID: 'b64' })).body['result'] as Record<string, string>;
    await call('telephony.externalcall.finish', { CALL_ID: reg['CALL_ID'], USER_ID: 1, DURATION: 5 });
    const wrong = await call('telephony.externalcall.attachRecord', { CALL_ID: reg['CALL_ID'], FILENAME: 'x.ogg', FILE_CONTENT: 'AAAA' });
    expect(wrong.body['error_description']).toBe('Wrong file extension. Only wav and mp3 are allowed');
    const b64 = await call('telephony.externalcall.attachRecord', { CALL_ID: reg['CALL_ID'], FILENAME: 'call.mp3', FILE_CONTENT: MP3.toString('base64') });
    expect(b64.status).toBe(200);
    expect(portal.externalCall(reg['CALL_ID'] ?? '')?.record?.bytes.equals(MP3)).toBe(true);

    const announce = await call('telephony.externalcall.attachRecord', { CALL_ID: reg['CALL_ID'], FILENAME: 'call.wav' });
    const { uploadUrl, fieldName } = announce.body['result'] as { uploadUrl: string; fieldName: string };
    expect(fieldName).toBe('file');
    const form = new FormData();
    form.append(fieldName, new Blob([Buffer.from('RIFF....WAVE')], { type: 'audio/wav' }), 'call.wav');
    const uploaded = await fetch(uploadUrl, { method: 'POST', body: form });
    expect(uploaded.status).toBe(200);
    expect(portal.externalCall(reg['CALL_ID'] ?? '')?.record).toMatchObject({ name: 'call.wav', contentType: 'audio/wav' });
  });

  it('takes timeline comments only with lower-case `fields` and a lower-case ENTITY_TYPE', async () => {
    const upper = await call('crm.timeline.comment.add', { FIELDS: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: 'x' } });
    expect([upper.status, upper.body['error']]).toEqual([400, '100']);
    const upperType = await call('crm.timeline.comment.add', { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'DEAL', COMMENT: 'x' } });
    expect(upperType.body['error']).toBe('OWNER_NOT_FOUND');
    const ok = await call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: 'Result: interested', FILES: [['call.mp3', MP3.toString('base64')]] },
    });
    expect(ok.body['result']).toEqual(expect.any(Number));
    const comment = portal.timeline('deal', dealId).find((e) => e.kind === 'comment');
    expect(comment).toMatchObject({ kind: 'comment', comment: 'Result: interested', authorId: 1 });
    if (comment?.kind === 'comment') expect(comment.files[0]?.bytes.equals(MP3)).toBe(true);
  });

  it('adds log messages, to-dos and configurable activities with header tags', async () => {
    const log = await call('crm.timeline.logmessage.add', { fields: { entityTypeId: 2, entityId: dealId, title: 'Dozvon', text: 'Campaign started', iconCode: 'info' } });
    expect(log.body['result']).toMatchObject({ logMessage: { id: expect.any(Number), title: 'Dozvon' } });
    const todo = await call('crm.activity.todo.add', { ownerTypeId: 2, ownerId: dealId, deadline: '2026-03-08T10:00:00+03:00', title: 'Call back' });
    expect(todo.body['result']).toEqual({ id: expect.any(Number) });
    const layout = {
      icon: { code: 'call-completed' },
      header: { title: 'Voice bot call', tags: { result: { title: 'Interested', type: 'success' }, gender: { title: 'F', type: 'secondary' } } },
      body: { blocks: { text: { type: 'text', properties: { value: 'Answered in 12 s' } } } },
    };
    const conf = await call('crm.activity.configurable.add', { ownerTypeId: 2, ownerId: dealId, fields: { completed: true }, layout });
    expect(conf.body['result']).toEqual({ activity: { id: expect.any(Number) } });
    const three = { ...layout, header: { title: 'x', tags: { a: { title: 'a', type: 'success' }, b: { title: 'b', type: 'success' }, c: { title: 'c', type: 'success' } } } };
    expect((await call('crm.activity.configurable.add', { ownerTypeId: 2, ownerId: dealId, layout: three })).body['error']).toBe('TOO_MANY_ITEMS');
    expect((await call('crm.activity.configurable.add', { ownerTypeId: 2, ownerId: dealId, layout: { header: { title: 'x', tags: { a: { title: 'a', type: 'pink' } } } } })).body['error']).toBe('ENUM_FIELD');
    const kinds = portal.timeline('deal', dealId).map((e) => (e.kind === 'activity' ? e.activity.providerId : e.kind));
    expect(kinds).toEqual(expect.arrayContaining(['VOXIMPLANT_CALL', 'comment', 'logmessage', 'CRM_TODO', 'CONFIGURABLE_REST_APP']));
  });

  it('refuses telephony and configurable activities outside application context', async () => {
    const hook = portal.createWebhook(1);
    const res = await fetch(`${hook.url}telephony.externalcall.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ USER_ID: 1, PHONE_NUMBER: '+79990000004', TYPE: 1 }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'WRONG_AUTH_TYPE' });
  });
});
