import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildTime } from './envelope.js';
import { parseBody, parseForm } from './formEncoding.js';
import { readBody, sendJson } from './http.js';
import { asString, type Params } from './params.js';
import { serverEndpointOf, type EmulatorCore, type PortalDirectoryEntry } from './emulatorCore.js';

/**
 * The authorization server (stands for oauth.bitrix.info / oauth.bitrix24.tech).
 *
 * `/oauth/token/` accepts GET query (documented) and POST form (what b24jssdk sends), for
 * `grant_type=refresh_token` and `authorization_code`. Refresh tokens are single-use: a reuse
 * answers `invalid_grant`, and a successful refresh also kills the previous access token
 * (brief §1.4). Errors are HTTP 400 with `{error, error_description}` (RD:settings/oauth/error-codes.md;
 * the docs do not give the status, 400 is what OAuth servers use).
 */
export function createOAuthServer(core: EmulatorCore): Server {
  return createServer((req, res) => {
    handle(core, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err) });
    });
  });
}

async function handle(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://oauth.local');
  const path = url.pathname.replace(/\/{2,}/g, '/');
  const body = await readBody(req);
  const params: Params = { ...parseForm(url.search), ...parseBody(body, req.headers['content-type']) };

  if (path === '/oauth/token/' || path === '/oauth/token') {
    tokenEndpoint(core, req.method ?? 'GET', params, res);
    return;
  }
  if (/^\/rest\/app\.info(\.json)?$/i.test(path)) {
    appInfo(core, params, res);
    return;
  }
  sendJson(res, 404, { error: 'invalid_request', error_description: 'Unknown endpoint' });
}

function tokenEndpoint(core: EmulatorCore, httpMethod: string, params: Params, res: ServerResponse): void {
  const grantType = asString(params['grant_type']) ?? '';
  const clientId = asString(params['client_id']) ?? '';
  const clientSecret = asString(params['client_secret']) ?? '';
  const log = (status: number, error: string | null, memberId: string | null) =>
    core.oauthLog.push({ at: core.clock.now(), httpMethod, grantType, clientId, memberId, status, error });
  const fail = (error: string, description: string, memberId: string | null = null) => {
    log(400, error, memberId);
    sendJson(res, 400, { error, error_description: description });
  };

  if (!grantType || !clientId) return fail('invalid_request', 'Missing grant_type or client_id');

  let memberId: string;
  let userId: number;
  if (grantType === 'refresh_token') {
    const token = core.tokens.refresh(asString(params['refresh_token']) ?? '');
    if (!token) return fail('invalid_grant', 'Invalid refresh token');
    const portal = core.portals.get(token.memberId);
    if (!portal || portal.app.clientId !== clientId || portal.app.clientSecret !== clientSecret) {
      return fail('invalid_client', 'Invalid client credentials', token.memberId);
    }
    if (!portal.isAppInstalled()) return fail('invalid_client', 'Application not installed', token.memberId);
    if (token.revoked || token.usedAt !== null || token.expiresAt <= core.clock.now()) {
      return fail('invalid_grant', 'Invalid refresh token', token.memberId);
    }
    token.usedAt = core.clock.now();
    const previous = core.tokens.access(token.accessToken);
    if (previous && previous.revoked === null) previous.revoked = 'refreshed';
    portal.countRefresh();
    memberId = token.memberId;
    userId = token.userId;
  } else if (grantType === 'authorization_code') {
    const code = core.tokens.code(asString(params['code']) ?? '');
    if (!code || code.used || code.expiresAt <= core.clock.now()) return fail('invalid_grant', 'Invalid authorization code');
    const portal = core.portals.get(code.memberId);
    if (!portal || portal.app.clientId !== clientId || portal.app.clientSecret !== clientSecret) {
      return fail('invalid_client', 'Invalid client credentials', code.memberId);
    }
    code.used = true;
    memberId = code.memberId;
    userId = code.userId;
  } else {
    return fail('invalid_request', `Unsupported grant_type ${grantType}`);
  }

  const portal = core.portals.get(memberId) as PortalDirectoryEntry;
  const { access, refresh } = core.tokens.issue(memberId, userId, clientId, portal.accessTtlSeconds, core.options.refreshTokenTtlSeconds);
  log(200, null, memberId);
  sendJson(res, 200, {
    access_token: access.token,
    expires: Math.floor(access.expiresAt / 1000),
    expires_in: portal.accessTtlSeconds,
    scope: portal.scopeString(),
    domain: core.options.oauthDomain,
    server_endpoint: serverEndpointOf(core),
    status: portal.app.status,
    client_endpoint: portal.clientEndpoint,
    member_id: memberId,
    user_id: userId,
    refresh_token: refresh.token,
  });
}

/** `app.info` on the OAuth server's REST (`server_endpoint`), answered for a valid access token. */
function appInfo(core: EmulatorCore, params: Params, res: ServerResponse): void {
  const token = core.tokens.access(asString(params['auth']) ?? '');
  const now = core.clock.now();
  if (!token || token.revoked !== null) {
    sendJson(res, 401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    return;
  }
  if (token.expiresAt <= now) {
    sendJson(res, 401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
    return;
  }
  const portal = core.portals.get(token.memberId);
  if (!portal) {
    sendJson(res, 401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    return;
  }
  sendJson(res, 200, { result: portal.appInfo(), time: buildTime(now, 0.01, 0, Math.floor(now / 1000) + 600) });
}
