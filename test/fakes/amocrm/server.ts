import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import qs from 'qs';
import type { AccountCore } from './account.js';
import { addNotes, listNotes } from './api/notes.js';
import { getLead, listLeads, patchLeads } from './api/leads.js';
import { getAccount, getUser, listContacts, listLeadFields, listPipelines, listTags, listUsers } from './api/meta.js';
import type { ApiResult, Query } from './api/result.js';
import { problem } from './api/result.js';
import { handleHarness, oauthPopup } from './harness/harness.js';
import type { OAuthStore } from './oauth.js';
import { readBody, sendJson, sendNoContent, sendProblem, sendText } from './http.js';

/**
 * One account = one HTTP server: `/oauth2/access_token`, `/api/v4/*` (Bearer, 7 req/s, faults),
 * and the widget harness pages for browser tests (`/harness/*`).
 */
export function createAccountServer(core: AccountCore): Server {
  const server = createServer((req, res) => {
    route(core, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendProblem(res, 500, 'Internal Server Error', String(err));
      else res.destroy();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  return server;
}

/**
 * amoCRM's API domain: `GET /oauth2/account/current/subdomain` with `X-Refresh-Token` answers where
 * the token's account lives now (brief §1, gotcha 16); the token is not spent.
 */
export function createApiDomainServer(oauth: OAuthStore, accountById: (id: number) => { id: number; subdomain: string; referer: string } | undefined): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/oauth2/account/current/subdomain') return sendText(res, 404, 'Not found', 'text/plain');
    const token = req.headers['x-refresh-token'];
    const id = typeof token === 'string' ? oauth.accountOfRefresh(token) : undefined;
    const account = id === undefined ? undefined : accountById(id);
    if (!account) return sendProblem(res, 401, 'Unauthorized', 'Refresh token is invalid');
    sendJson(res, 200, { id: account.id, subdomain: account.subdomain, domain: account.referer, top_level_domain: 'ru' }, 'application/json');
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  return server;
}

async function route(core: AccountCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', core.url || 'http://127.0.0.1');
  // A renamed account's old address knows it no more (Account.rename).
  if (core.url && req.headers.host !== core.host) {
    if (url.pathname === '/oauth2/access_token') return sendText(res, 404, 'Not found', 'text/html');
    return sendProblem(res, 401, 'Unauthorized', 'Account not found');
  }
  if (url.pathname === '/oauth2/access_token' && req.method === 'POST') return tokenEndpoint(core, req, res);
  if (url.pathname.startsWith('/api/v4/')) return api(core, req, res, url);
  if (url.pathname.startsWith('/harness')) return handleHarness(core, req, res, url);
  if (url.pathname === '/oauth' && req.method === 'GET') return oauthPopup(core, res, url);
  sendText(res, 404, 'Not found', 'text/plain');
}

async function parseBody(req: IncomingMessage): Promise<unknown> {
  const raw = (await readBody(req)).toString('utf8');
  if (!raw) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type === 'application/x-www-form-urlencoded') return qs.parse(raw);
  return JSON.parse(raw);
}

async function tokenEndpoint(core: AccountCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Record<string, unknown>;
  try {
    body = ((await parseBody(req)) ?? {}) as Record<string, unknown>;
  } catch {
    sendProblem(res, 400, 'Bad Request', 'Malformed body');
    return;
  }
  const clientId = String(body.client_id ?? '');
  const integ = core.integrations.get(clientId);
  const oauthError = (status: number, hint: string, detail: string) =>
    sendJson(res, status, { hint, title: 'Некорректный запрос', type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson', status, detail }, 'application/problem+json');
  if (!integ || body.client_secret !== integ.clientSecret) return oauthError(401, 'Client authentication failed', 'Client authentication failed');
  if (body.redirect_uri !== integ.redirectUri) return oauthError(400, 'Cannot check redirect URI', 'The redirect URI does not match');
  const result =
    body.grant_type === 'authorization_code'
      ? core.oauth.exchangeCode(core.id, clientId, String(body.code ?? ''))
      : body.grant_type === 'refresh_token'
        ? core.oauth.exchangeRefresh(core.id, clientId, String(body.refresh_token ?? ''))
        : { status: 400 as const, hint: 'Unsupported grant type', detail: 'grant_type' };
  if ('status' in result) return oauthError(result.status, result.hint, result.detail);
  sendJson(res, 200, result, 'application/json', { date: new Date(core.clock.now()).toUTCString() });
}

async function api(core: AccountCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  let body: unknown;
  try {
    body = await parseBody(req);
  } catch {
    body = Symbol.for('malformed');
  }
  const fault = core.takeFault(method, path);
  if (fault && 'status' in fault) {
    core.record({ method, path, query: url.search, body, status: fault.status, items: 0, dropped: false });
    res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/html', ...(fault.headers ?? {}) });
    res.end(fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`);
    return;
  }
  const admission = core.limiter.admit();
  if (!admission.ok) {
    core.record({ method, path, query: url.search, body, status: admission.status, items: 0, dropped: false });
    if (admission.status === 403) {
      // A ban comes from nginx, not the API: an HTML page (brief §3).
      sendText(res, 403, '<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>', 'text/html');
    } else {
      sendProblem(res, 429, 'Too Many Requests', 'Request rate limit exceeded: limit of 7 requests per second for IP', { retry_after: admission.retryAfter }, { 'retry-after': String(admission.retryAfter) });
    }
    return;
  }
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const grant = auth ? core.oauth.checkAccess(auth) : 'invalid';
  if (typeof grant === 'string' || grant.accountId !== core.id) {
    core.record({ method, path, query: url.search, body, status: 401, items: 0, dropped: false });
    sendProblem(res, 401, 'Unauthorized', grant === 'expired' ? 'Token has expired' : 'Unauthorized');
    return;
  }
  const q = qs.parse(url.search.slice(1), { depth: 6, arrayLimit: 500 }) as Query;
  const result: ApiResult = typeof body === 'symbol' ? problem(400, 'Bad Request', 'Malformed JSON') : handle(core, method, path, q, body, grant.userId);
  const status = result.kind === 'empty' ? 204 : result.status;
  const rec = core.record({ method, path, query: url.search, body, status, items: result.kind === 'data' ? result.items : 0, dropped: false });
  if (fault && 'drop' in fault) {
    rec.dropped = true;
    res.destroy();
    return;
  }
  if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (result.kind === 'empty') return sendNoContent(res);
  if (result.kind === 'problem') return sendProblem(res, result.status, result.title, result.detail, result.extra ?? {});
  sendJson(res, result.status, result.body);
}

function handle(core: AccountCore, method: string, path: string, q: Query, body: unknown, userId: number): ApiResult {
  const s = core.store;
  const base = core.url;
  let m: RegExpExecArray | null;
  if (method === 'GET' && path === '/api/v4/account') return getAccount({ id: core.id, name: core.name, subdomain: core.subdomain, country: core.lang === 'ru' ? 'RU' : 'US', currency: core.lang === 'ru' ? 'RUB' : 'USD' }, s, userId, base);
  if (method === 'GET' && path === '/api/v4/users') return listUsers(s, q, base);
  if (method === 'GET' && (m = /^\/api\/v4\/users\/(\d+)$/.exec(path))) return getUser(s, Number(m[1]), base);
  if (method === 'GET' && path === '/api/v4/leads') return listLeads(s, q, base);
  if (method === 'PATCH' && path === '/api/v4/leads') return patchLeads(s, body, base);
  if (method === 'GET' && path === '/api/v4/leads/pipelines') return listPipelines(s, base);
  if (method === 'GET' && path === '/api/v4/leads/custom_fields') return listLeadFields(s, q, base);
  if (method === 'GET' && path === '/api/v4/leads/tags') return listTags(s, q, base);
  if (method === 'GET' && path === '/api/v4/leads/notes') return listNotes(s, q, base);
  if (method === 'POST' && path === '/api/v4/leads/notes') return addNotes(s, body, base);
  if ((m = /^\/api\/v4\/leads\/(\d+)\/notes$/.exec(path))) {
    if (method === 'GET') return listNotes(s, q, base, Number(m[1]));
    if (method === 'POST') return addNotes(s, body, base, Number(m[1]));
  }
  if ((m = /^\/api\/v4\/leads\/(\d+)$/.exec(path))) {
    if (method === 'GET') return getLead(s, Number(m[1]), q, base);
    if (method === 'PATCH') return patchLeads(s, [{ ...(body as Record<string, unknown>), id: Number(m[1]) }], base);
  }
  if (method === 'GET' && path === '/api/v4/contacts') return listContacts(s, q, base);
  return problem(404, 'Not Found', `No route ${method} ${path}`);
}
