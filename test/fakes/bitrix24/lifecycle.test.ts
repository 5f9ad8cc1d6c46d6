import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { RecordingApp, rest, type ReceivedRequest } from './testSupport.js';

type Form = Record<string, unknown>;
const auth = (req: ReceivedRequest | undefined) => (req?.form['auth'] ?? {}) as Record<string, string>;

/** Install, events, robots, placements, uninstall (brief §1, §2, §6). */
describe('app lifecycle and robots', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let app: RecordingApp;
  let adminToken: string;
  let dealId: number;

  beforeAll(async () => {
    app = await new RecordingApp().start();
    // The app's robot handler answers at once and reports back asynchronously, as Dozvon should.
    app.on('/bitrix24/robot', (req) => {
      const form = req.form as Form;
      const a = form['auth'] as Record<string, string>;
      const props = form['properties'] as Record<string, string> | undefined;
      if (props?.['mode'] === 'reply') {
        setImmediate(() => {
          void (async () => {
            await rest(a['client_endpoint'] ?? '', 'bizproc.activity.log', { EVENT_TOKEN: form['event_token'], LOG_MESSAGE: 'call queued' }, a['access_token']);
            await rest(a['client_endpoint'] ?? '', 'bizproc.event.send', {
              event_token: form['event_token'],
              return_values: { outcome: 'interested', attempts: 2 },
              log_message: 'done',
            }, a['access_token']);
          })();
        });
      }
      return { status: 200, body: 'OK' };
    });
    emu = await startBitrix24Emulator({
      app: { handlerUrl: `${app.url}/bitrix24/app`, installUrl: `${app.url}/bitrix24/install` },
    });
    portal = await emu.createPortal({ rateLimit: null });
    const contact = portal.addContact({ name: 'Ivan', phones: ['+79990000004'] });
    dealId = portal.addDeal({ title: 'Robot deal', contactIds: [contact] });
  });

  afterAll(async () => {
    await emu.stop();
    await app.stop();
  });

  it('opens the install page like the admin browser does and keeps the app "not installed"', async () => {
    const { page } = await portal.installApp();
    expect(page?.status).toBe(200);
    const req = app.requests('/bitrix24/install')[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.query).toMatchObject({ DOMAIN: portal.domain, PROTOCOL: '0', LANG: 'en', APP_SID: page?.appSid });
    expect(req?.form).toMatchObject({
      AUTH_ID: page?.auth.accessToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: page?.auth.refreshToken,
      SERVER_ENDPOINT: emu.serverEndpoint,
      member_id: portal.memberId,
      status: 'L',
      PLACEMENT: 'DEFAULT',
      PLACEMENT_OPTIONS: '[]',
    });
    // The browser submits this form: it never carries the application token (see pageForm).
    expect(req?.form).not.toHaveProperty('APPLICATION_TOKEN');
    expect(req?.rawBody ?? '').not.toContain(portal.applicationToken);
    adminToken = String(req?.form['AUTH_ID']);
    expect(portal.installed).toBe(false);
    const info = await rest(portal.clientEndpoint, 'app.info', {}, adminToken);
    expect((info.body['result'] as Form)['INSTALLED']).toBe(false);
  });

  it('lets the install page bind events, a placement and robots with the admin token', async () => {
    const call = (method: string, params: Form) => rest(portal.clientEndpoint, method, params, adminToken);
    for (const event of ['ONAPPINSTALL', 'ONAPPUNINSTALL', 'onCrmDealUpdate']) {
      expect((await call('event.bind', { event, handler: `${app.url}/bitrix24/events` })).status).toBe(200);
    }
    const dup = await call('event.bind', { event: 'ONAPPUNINSTALL', handler: `${app.url}/bitrix24/events` });
    expect(dup.body).toMatchObject({ error: 'ERROR_CORE', error_description: 'Handler already binded' });
    expect((await call('event.get', {})).body['result']).toHaveLength(3);

    expect((await call('placement.bind', { PLACEMENT: 'CRM_DEAL_DETAIL_TAB', HANDLER: `${app.url}/bitrix24/placement/deal_tab`, TITLE: 'Calls' })).status).toBe(200);
    const noHandler = await call('placement.bind', { PLACEMENT: 'CRM_DEAL_DETAIL_TAB' });
    expect([noHandler.status, noHandler.body['error']]).toEqual([200, 'ERROR_ARGUMENT']);

    const robot = {
      CODE: 'calltask_1',
      HANDLER: `${app.url}/bitrix24/robot`,
      AUTH_USER_ID: 1,
      USE_SUBSCRIPTION: 'Y',
      NAME: { en: 'Voice bot call', ru: 'Звонок роботом' },
      PROPERTIES: { mode: { Name: 'Mode', Type: 'string', Default: 'reply' }, phone: { Name: 'Phone', Type: 'string' } },
      RETURN_PROPERTIES: { outcome: { Name: 'Outcome', Type: 'string' } },
      DOCUMENT_TYPE: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    };
    expect((await call('bizproc.robot.add', robot)).body['result']).toBe(true);
    expect((await call('bizproc.robot.add', robot)).body).toMatchObject({ error: 'ERROR_ACTIVITY_ALREADY_INSTALLED' });
    expect((await call('bizproc.robot.add', { ...robot, CODE: 'fire_and_forget', USE_SUBSCRIPTION: 'N' })).status).toBe(200);
    expect((await call('bizproc.robot.list', {})).body['result']).toEqual(['calltask_1', 'fire_and_forget']);
  });

  it('validates robot registration like the real method', async () => {
    const call = (method: string, params: Form, token = adminToken) => rest(portal.clientEndpoint, method, params, token);
    const base = { CODE: 'x1', HANDLER: `${app.url}/bitrix24/robot`, NAME: 'X' };
    expect((await call('bizproc.robot.add', { ...base, CODE: 'bad code!' })).body).toMatchObject({ error: 'ERROR_ACTIVITY_VALIDATION_FAILURE', error_description: 'Wrong activity code!' });
    expect((await call('bizproc.robot.add', { ...base, NAME: '' })).body).toMatchObject({ error_description: 'Empty activity NAME!' });
    expect((await call('bizproc.robot.add', { ...base, HANDLER: 'ftp://x/y' })).body).toMatchObject({ error: 'ERROR_UNSUPPORTED_PROTOCOL' });
    expect((await call('bizproc.robot.add', { ...base, HANDLER: 'https://elsewhere.example/robot' })).body).toMatchObject({ error: 'ERROR_WRONG_HANDLER_URL' });
    expect((await call('bizproc.robot.add', { ...base, PROPERTIES: { '1bad': { Name: 'x' } } })).body).toMatchObject({ error_description: 'Wrong property key 1bad!' });
    const worker = portal.addUser({ name: 'Worker' });
    const denied = await call('bizproc.robot.add', base, portal.issueTokens(worker.id).accessToken);
    expect([denied.status, denied.body]).toEqual([403, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }]);
    const hook = portal.createWebhook(1);
    const viaHook = await fetch(`${hook.url}bizproc.robot.add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base) });
    expect(await viaHook.json()).toEqual({ error: 'ACCESS_DENIED', error_description: 'Application context required' });
    expect((await call('bizproc.robot.delete', { CODE: 'nope' })).body).toMatchObject({ error: 'ERROR_ACTIVITY_NOT_FOUND' });
    expect((await call('bizproc.robot.update', { CODE: 'calltask_1', FIELDS: { NAME: 'Voice bot call v2' } })).body['result']).toBe(true);
    expect(portal.robots().find((r) => r.code === 'calltask_1')?.name).toBe('Voice bot call v2');
  });

  it('delivers nothing before installFinish, then ONAPPINSTALL with tokens and application_token', async () => {
    portal.updateDeal(dealId, { COMMENTS: 'before install' });
    await portal.flush();
    expect(app.requests('/bitrix24/events')).toHaveLength(0);
    await expect(portal.runRobot({ code: 'calltask_1', document: `DEAL_${dealId}` })).rejects.toThrow(/not installed/);

    const [delivery] = await portal.installFinish();
    expect(delivery?.status).toBe(200);
    expect(portal.installed).toBe(true);
    const install = app.requests('/bitrix24/events')[0];
    expect(install?.headers['user-agent']).toBe('Bitrix24 Webhook Engine');
    expect(install?.form).toMatchObject({ event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' } });
    expect(install?.rawBody).toContain('auth%5Bapplication_token%5D=');
    const a = auth(install);
    expect(Object.keys(a)).toEqual([
      'access_token', 'expires', 'expires_in', 'scope', 'domain', 'server_endpoint', 'status', 'client_endpoint', 'member_id', 'user_id', 'refresh_token', 'application_token',
    ]);
    expect(a).toMatchObject({ domain: portal.domain, client_endpoint: portal.clientEndpoint, server_endpoint: emu.serverEndpoint, member_id: portal.memberId, application_token: portal.applicationToken, expires_in: '3600' });
    expect((await rest(portal.clientEndpoint, 'app.info', {}, a['access_token'])).body['result']).toMatchObject({ INSTALLED: true });

    portal.updateDeal(dealId, { COMMENTS: 'after install' });
    await portal.flush();
    const update = app.requests('/bitrix24/events').find((r) => r.form['event'] === 'ONCRMDEALUPDATE');
    expect(update?.form['data']).toEqual({ FIELDS: { ID: String(dealId) } });
    expect(auth(update)['refresh_token']).toBeUndefined();
  });

  it('runs a robot: form payload to HANDLER, activity.log and event.send accepted, then the token is stale', async () => {
    const wf = await portal.runRobot({ code: 'calltask_1', document: `DEAL_${dealId}`, properties: { phone: '+79990000004' } });
    expect(wf.delivery?.status).toBe(200);
    const req = app.requests('/bitrix24/robot').at(-1);
    expect(req?.form).toMatchObject({
      workflow_id: wf.id,
      code: 'calltask_1',
      document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      event_token: wf.eventToken,
      properties: { mode: 'reply', phone: '+79990000004' },
      use_subscription: 'Y',
      timeout_duration: '660',
    });
    expect(req?.rawBody).toContain('document_id%5B2%5D=DEAL_');
    expect(auth(req)).toMatchObject({ user_id: '1', application_token: portal.applicationToken, refresh_token: expect.any(String) });
    expect(wf.eventToken.split('|')).toHaveLength(3);

    expect(await wf.settled()).toBe('completed');
    expect(wf.logs).toEqual(['call queued', 'done']);
    expect(wf.returnValues).toEqual({ outcome: 'interested', attempts: 2 });
    const again = await rest(portal.clientEndpoint, 'bizproc.event.send', { EVENT_TOKEN: wf.eventToken, RETURN_VALUES: {} }, adminToken);
    expect([again.status, again.body]).toEqual([403, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }]);
  });

  it('makes the token stale when the workflow times out or is ended, and for USE_SUBSCRIPTION=N robots', async () => {
    const quiet = { mode: 'silent' };
    const timedOut = await portal.runRobot({ code: 'calltask_1', document: `DEAL_${dealId}`, properties: quiet, timeoutDuration: 60 });
    expect(timedOut.status).toBe('waiting');
    emu.clock.advance(61_000);
    const late = await rest(portal.clientEndpoint, 'bizproc.event.send', { EVENT_TOKEN: timedOut.eventToken, RETURN_VALUES: { outcome: 'busy' }, LOG_MESSAGE: 'late' }, adminToken);
    expect(late.status).toBe(403);
    expect(timedOut.status).toBe('timed_out');
    // The workflow went on without the values: a late answer is dropped, log line included.
    expect(timedOut.returnValues).toBeNull();
    expect(timedOut.logs).toEqual([]);

    const ended = await portal.runRobot({ code: 'calltask_1', document: `DEAL_${dealId}`, properties: quiet });
    const log = await rest(portal.clientEndpoint, 'bizproc.activity.log', { EVENT_TOKEN: ended.eventToken, LOG_MESSAGE: 'attempt 1/3' }, adminToken);
    expect(log.body['result']).toBe(true);
    ended.terminate();
    expect((await rest(portal.clientEndpoint, 'bizproc.activity.log', { EVENT_TOKEN: ended.eventToken, LOG_MESSAGE: 'x' }, adminToken)).status).toBe(403);
    expect(ended.logs).toEqual(['attempt 1/3']);

    const fire = await portal.runRobot({ code: 'fire_and_forget', document: `DEAL_${dealId}`, properties: quiet });
    expect(fire.status).toBe('completed');
    expect(app.requests('/bitrix24/robot').at(-1)?.form['use_subscription']).toBe('N');
    expect((await rest(portal.clientEndpoint, 'bizproc.event.send', { EVENT_TOKEN: fire.eventToken }, adminToken)).status).toBe(403);
  });

  it('opens a bound placement with PLACEMENT_OPTIONS as a JSON string', async () => {
    const page = await portal.openPlacement('CRM_DEAL_DETAIL_TAB', { ID: String(dealId) }, { userId: 1 });
    expect(page.status).toBe(200);
    const req = app.requests('/bitrix24/placement/deal_tab').at(-1);
    expect(req?.form).toMatchObject({ PLACEMENT: 'CRM_DEAL_DETAIL_TAB', PLACEMENT_OPTIONS: JSON.stringify({ ID: String(dealId) }) });
    expect(req?.query['APP_SID']).toBe(page.appSid);
    expect(portal.outbound('placement')).toHaveLength(1);
  });

  it('uninstalls: ONAPPUNINSTALL without tokens, access revoked, bindings and robots gone', async () => {
    const { accessToken: token, refreshToken } = portal.issueTokens();
    const [delivery] = await portal.uninstallApp({ clean: true });
    expect(delivery?.status).toBe(200);
    const req = app.requests('/bitrix24/events').find((r) => r.form['event'] === 'ONAPPUNINSTALL');
    expect(req?.form['data']).toEqual({ LANGUAGE_ID: 'en', CLEAN: '1' });
    expect(auth(req)).toEqual({
      domain: portal.domain,
      server_endpoint: emu.serverEndpoint,
      client_endpoint: portal.clientEndpoint,
      member_id: portal.memberId,
      application_token: portal.applicationToken,
    });
    expect((await rest(portal.clientEndpoint, 'profile', {}, token)).body['error']).toBe('NO_AUTH_FOUND');
    // What an app checking "is it really gone?" sees: the OAuth server no longer knows the app.
    const refresh = await fetch(`${emu.oauthUrl}/oauth/token/?grant_type=refresh_token&client_id=${portal.app.clientId}&client_secret=${portal.app.clientSecret}&refresh_token=${refreshToken}`);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_client' });
    expect(portal.robots()).toEqual([]);
    expect(portal.placementBindings()).toEqual([]);
    expect(portal.eventBindings()).toEqual([]);
    expect(portal.installed).toBe(false);
  });

  it('installs a script-only app by posting ONAPPINSTALL to the install URL', async () => {
    const p = await emu.createPortal({ app: { scriptOnly: true, installUrl: `${app.url}/bitrix24/install-script` } });
    const { callback } = await p.installApp();
    expect(p.installed).toBe(true);
    expect(callback?.form).toMatchObject({ event: 'ONAPPINSTALL', auth: { refresh_token: expect.any(String), member_id: p.memberId } });
    expect(app.requests('/bitrix24/install-script')).toHaveLength(1);
  });
});
