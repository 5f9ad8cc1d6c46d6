import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { RecordingApp, rest } from './testSupport.js';

/** The OAuth server (brief §1.4): token endpoint, single-use refresh tokens, error codes. */
describe('OAuth server', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;
  let app: RecordingApp;

  const refreshGet = (refreshToken: string, secret = emu.app.clientSecret) =>
    fetch(
      `${emu.oauthUrl}/oauth/token/?${new URLSearchParams({ grant_type: 'refresh_token', client_id: emu.app.clientId, client_secret: secret, refresh_token: refreshToken })}`,
    );

  beforeAll(async () => {
    app = await new RecordingApp().start();
    emu = await startBitrix24Emulator({ app: { redirectUrl: `${app.url}/oauth/callback`, handlerUrl: `${app.url}/app` } });
    portal = await emu.createPortal();
  });

  afterAll(async () => {
    await emu.stop();
    await app.stop();
  });

  it('refreshes with GET query and answers exactly the documented fields', async () => {
    const pair = portal.issueTokens();
    const res = await refreshGet(pair.refreshToken);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope', 'server_endpoint', 'status', 'user_id'].sort(),
    );
    expect(body).toMatchObject({
      client_endpoint: portal.clientEndpoint,
      server_endpoint: `${emu.oauthUrl}/rest/`,
      member_id: portal.memberId,
      domain: 'oauth.bitrix24.tech',
      expires_in: 3600,
      scope: 'crm,bizproc,placement,telephony,user_brief',
      status: 'L',
      user_id: 1,
    });
    expect(Math.abs(Number(body['expires']) - (emu.clock.now() / 1000 + 3600))).toBeLessThan(5);
  });

  it('refreshes with a POST form (what b24jssdk sends) and kills the previous access token', async () => {
    const pair = portal.issueTokens();
    const res = await fetch(`${emu.oauthUrl}/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: emu.app.clientId, client_secret: emu.app.clientSecret, refresh_token: pair.refreshToken }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    const old = await rest(portal.clientEndpoint, 'profile', {}, pair.accessToken);
    expect([old.status, old.body['error']]).toEqual([401, 'expired_token']);
    const fresh = await rest(portal.clientEndpoint, 'profile', {}, body.access_token);
    expect(fresh.status).toBe(200);
  });

  it('treats refresh tokens as single-use: a second use is invalid_grant', async () => {
    const pair = portal.issueTokens();
    const before = portal.refreshCount;
    expect((await refreshGet(pair.refreshToken)).status).toBe(200);
    const second = await refreshGet(pair.refreshToken);
    expect(second.status).toBe(400);
    expect(await second.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
    expect(portal.refreshCount).toBe(before + 1);
    expect(emu.oauthRequests().at(-1)).toMatchObject({ grantType: 'refresh_token', status: 400, error: 'invalid_grant', memberId: portal.memberId });
  });

  it('rejects wrong client credentials with invalid_client and unknown tokens with invalid_grant', async () => {
    const pair = portal.issueTokens();
    const wrong = await refreshGet(pair.refreshToken, 'nope');
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    // The token was not consumed by the failed attempt.
    expect((await refreshGet(pair.refreshToken)).status).toBe(200);
    expect(await (await refreshGet('bogus')).json()).toMatchObject({ error: 'invalid_grant' });
    const missing = await fetch(`${emu.oauthUrl}/oauth/token/`);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('expires refresh tokens after their lifetime (emulator clock)', async () => {
    const short = await startBitrix24Emulator({ refreshTokenTtlSeconds: 60 });
    try {
      const p = await short.createPortal();
      const pair = p.issueTokens();
      short.clock.advance(61_000);
      const res = await fetch(`${short.oauthUrl}/oauth/token/?grant_type=refresh_token&client_id=${short.app.clientId}&client_secret=${short.app.clientSecret}&refresh_token=${pair.refreshToken}`);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    } finally {
      await short.stop();
    }
  });

  it('runs the full protocol: /oauth/authorize/ redirects with a 30-second single-use code', async () => {
    const res = await fetch(`${portal.url}/oauth/authorize/?client_id=${emu.app.clientId}&state=xyz`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.pathname).toBe('/oauth/callback');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('domain')).toBe(portal.domain);
    expect(location.searchParams.get('member_id')).toBe(portal.memberId);
    const code = location.searchParams.get('code') ?? '';
    const exchange = (c: string) =>
      fetch(`${emu.oauthUrl}/oauth/token/?grant_type=authorization_code&client_id=${emu.app.clientId}&client_secret=${emu.app.clientSecret}&code=${c}`);
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ member_id: portal.memberId, client_endpoint: portal.clientEndpoint });
    expect(await (await exchange(code)).json()).toMatchObject({ error: 'invalid_grant' });
    const late = portal.authorizationCode();
    emu.clock.advance(31_000);
    expect(await (await exchange(late)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers invalid_client for an uninstalled app and NO_AUTH_FOUND for its revoked tokens', async () => {
    const p = await emu.createPortal();
    const pair = p.issueTokens();
    await p.uninstallApp();
    expect(await (await fetch(`${emu.oauthUrl}/oauth/token/?grant_type=refresh_token&client_id=${emu.app.clientId}&client_secret=${emu.app.clientSecret}&refresh_token=${pair.refreshToken}`)).json()).toMatchObject({
      error: 'invalid_client',
    });
    const call = await rest(p.clientEndpoint, 'profile', {}, pair.accessToken);
    expect([call.status, call.body['error']]).toEqual([401, 'NO_AUTH_FOUND']);
  });

  it('serves app.info on the OAuth server REST (server_endpoint)', async () => {
    const pair = portal.issueTokens();
    const res = await fetch(`${emu.serverEndpoint}app.info?auth=${pair.accessToken}`);
    expect(await res.json()).toMatchObject({ result: { STATUS: 'L', CODE: emu.app.code }, time: expect.any(Object) });
  });
});
