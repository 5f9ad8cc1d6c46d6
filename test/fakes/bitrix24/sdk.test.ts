import { AjaxError, B24OAuth, RefreshTokenError, type B24OAuthParams } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { rest } from './testSupport.js';

/** b24jssdk 2.2.0 against the emulator over plain http (brief §7.5). */
describe('b24jssdk B24OAuth against the emulator', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;

  const client = (userId = 1) =>
    new B24OAuth(portal.oauthParams(userId), { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret }, {
      restrictionParams: { rateLimit: { burstLimit: 10_000, drainRate: 10_000, adaptiveEnabled: false } },
    });

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null });
    for (let i = 1; i <= 120; i++) {
      const contact = portal.addContact({ name: `Client ${i}`, phones: [`+7999000${String(i).padStart(4, '0')}`] });
      portal.addDeal({ title: `Deal ${i}`, contactIds: [contact], opportunity: i * 10 });
    }
  });

  afterAll(async () => {
    await emu.stop();
  });

  it('calls methods with the trailing-slash endpoint (`/rest//method`) and the bx24_* query', async () => {
    const b24 = client();
    const info = await b24.actions.v2.call.make<Record<string, unknown>>({ method: 'app.info' });
    expect(info.isSuccess).toBe(true);
    expect(info.getData()?.result).toMatchObject({ CODE: emu.app.code, INSTALLED: false, STATUS: 'L' });
    const profile = await b24.actions.v2.call.make<Record<string, unknown>>({ method: 'profile' });
    expect(profile.getData()?.result).toMatchObject({ ID: '1', ADMIN: true });
    const recorded = portal.calls('app.info').at(-1);
    expect(recorded).toMatchObject({ methodAsSent: 'app.info', status: 200, userId: 1, credential: 'oauth' });
    expect(Object.keys(recorded?.params ?? {})).toEqual([]);
  });

  it('accepts case-insensitive method names and the .json suffix', async () => {
    const token = portal.issueTokens().accessToken;
    const a = await rest(portal.clientEndpoint, 'Crm.Deal.Get.json', { id: 1 }, token);
    expect(a.status).toBe(200);
    expect((a.body['result'] as Record<string, unknown>)['TITLE']).toBe('Deal 1');
    expect(a.body['time']).toMatchObject({ operating: expect.any(Number), operating_reset_at: expect.any(Number) });
  });

  it('accepts GET with query params and POST with a PHP-style form body', async () => {
    const token = portal.issueTokens().accessToken;
    const get = await fetch(`${portal.url}/rest/crm.deal.list.json?auth=${token}&filter[%3CID]=3&select[]=ID&select[]=TITLE`);
    expect(((await get.json()) as { result: unknown[] }).result).toEqual([{ ID: '1', TITLE: 'Deal 1' }, { ID: '2', TITLE: 'Deal 2' }]);
    const form = await fetch(`${portal.url}/rest//crm.deal.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `auth=${token}&id=3&fields%5BCOMMENTS%5D=via+form`,
    });
    expect(((await form.json()) as { result: unknown }).result).toBe(true);
    expect(portal.deal(3)?.['COMMENTS']).toBe('via form');
  });

  it('runs actions.v2.batch.make with named and list commands', async () => {
    const b24 = client();
    const named = await b24.actions.v2.batch.make({
      calls: { deal: ['crm.deal.get', { id: 2 }], contacts: ['crm.deal.contact.items.get', { id: 2 }] },
      options: { isHaltOnError: true },
    });
    expect(named.isSuccess).toBe(true);
    const data = named.getData() as Record<string, { TITLE?: string } | Array<{ CONTACT_ID: number }>>;
    expect((data['deal'] as { TITLE: string }).TITLE).toBe('Deal 2');
    expect((data['contacts'] as Array<{ CONTACT_ID: number; IS_PRIMARY: string }>)[0]).toMatchObject({ CONTACT_ID: 2, IS_PRIMARY: 'Y' });

    const list = await b24.actions.v2.batch.make({
      calls: [
        ['crm.deal.list', { filter: { '>ID': 0 }, select: ['ID'], order: { ID: 'ASC' } }],
        ['crm.contact.list', { filter: { '@ID': [1, 2, 3] }, select: ['ID', 'NAME', 'PHONE'] }],
      ],
      options: { isHaltOnError: true },
    });
    expect(list.isSuccess).toBe(true);
    const [deals, contacts] = list.getData() as [Array<{ ID: string }>, Array<{ NAME: string; PHONE: unknown[] }>];
    expect(deals).toHaveLength(50);
    expect(contacts.map((c) => c.NAME)).toEqual(['Client 1', 'Client 2', 'Client 3']);
    expect(contacts[0]?.PHONE).toHaveLength(1);
    expect(portal.calls('crm.contact.list').at(-1)?.batch).not.toBeNull();
  });

  it('pages with callList/fetchList through the >ID cursor and start=-1', async () => {
    const b24 = client();
    const all = await b24.actions.v2.callList.make<{ ID: string; TITLE: string }>({
      method: 'crm.deal.list',
      params: { select: ['ID', 'TITLE'], filter: { '>OPPORTUNITY': 100 } },
      idKey: 'ID',
    });
    expect(all.isSuccess).toBe(true);
    expect(all.getData()).toHaveLength(110);

    const pages: number[] = [];
    for await (const page of b24.actions.v2.fetchList.make<{ ID: string }>({ method: 'crm.deal.list', params: { select: ['ID'] }, idKey: 'ID' })) {
      pages.push(page.length);
    }
    expect(pages).toEqual([50, 50, 20]);
    const cursorCalls = portal.calls('crm.deal.list').slice(-3);
    expect(cursorCalls.map((c) => (c.params['filter'] as Record<string, unknown>)['>ID'])).toEqual([0, 50, 100]);
    expect(cursorCalls.every((c) => c.params['start'] === -1)).toBe(true);

    const items: Array<{ id: number; contactIds: number[] }> = [];
    for await (const page of b24.actions.v2.fetchList.make<{ id: number; contactIds: number[] }>({
      method: 'crm.item.list',
      params: { entityTypeId: 2, select: ['id', 'title', 'contactIds'] },
      idKey: 'id',
      customKeyForResult: 'items',
    })) {
      items.push(...page);
    }
    expect(items).toHaveLength(120);
    expect(items[0]).toEqual({ id: 1, title: 'Deal 1', contactIds: [1] });
  });

  it('refreshes on 401 expired_token, reports the new pair to setCallbackRefreshAuth, and the old refresh token is spent', async () => {
    const params = portal.oauthParams();
    const b24 = new B24OAuth(params, { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret });
    const saved: B24OAuthParams[] = [];
    b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => {
      saved.push({ ...b24OAuthParams });
    });
    const before = portal.refreshCount;
    portal.expireAllTokens();
    const res = await b24.actions.v2.call.make<{ ID: string }>({ method: 'user.current' });
    expect(res.getData()?.result.ID).toBe('1');
    expect(portal.refreshCount).toBe(before + 1);
    expect(saved).toHaveLength(1);
    const fresh = saved[0];
    expect(fresh?.accessToken).not.toBe(params.accessToken);
    expect(fresh?.refreshToken).not.toBe(params.refreshToken);
    expect(fresh?.clientEndpoint).toBe(portal.clientEndpoint);
    expect(fresh?.serverEndpoint).toBe(emu.serverEndpoint);
    const calls = portal.calls('user.current').slice(-2);
    expect(calls.map((c) => [c.status, c.error])).toEqual([[401, 'expired_token'], [200, null]]);
    expect(calls[1]?.token).toBe(fresh?.accessToken);

    // The persisted pair keeps working in a new client; the old refresh token is single-use.
    const again = new B24OAuth(fresh as B24OAuthParams, { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret });
    expect((await again.actions.v2.call.make({ method: 'profile' })).isSuccess).toBe(true);
    const reuse = await fetch(`${emu.oauthUrl}/oauth/token/?grant_type=refresh_token&client_id=${emu.app.clientId}&client_secret=${emu.app.clientSecret}&refresh_token=${params.refreshToken}`);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('reproduces gotcha 5: two workers holding the same pair, the second refresh gets invalid_grant', async () => {
    const shared = portal.oauthParams();
    const secret = { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret };
    const workerA = new B24OAuth({ ...shared }, secret, { restrictionParams: { maxRetries: 1 } });
    const workerB = new B24OAuth({ ...shared }, secret, { restrictionParams: { maxRetries: 1 } });
    portal.expireAllTokens();
    expect((await workerA.actions.v2.call.make({ method: 'profile' })).isSuccess).toBe(true);
    const failure = await workerB.actions.v2.call.make({ method: 'profile' }).catch((e: unknown) => e);
    // b24jssdk 2.2.0 wraps the RefreshTokenError into AjaxError JSSDK_UNKNOWN_ERROR (status 0);
    // the OAuth code survives only on `originalError`.
    expect(failure).toBeInstanceOf(AjaxError);
    expect(failure).toMatchObject({ code: 'JSSDK_UNKNOWN_ERROR', message: 'Invalid refresh token' });
    const original = (failure as AjaxError).originalError;
    expect(original).toBeInstanceOf(RefreshTokenError);
    expect(original).toMatchObject({ code: 'invalid_grant', status: 400 });
  });
});
