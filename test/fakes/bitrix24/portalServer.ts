import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import busboy from 'busboy';
import { buildTime } from './envelope.js';
import { HarnessError, handleFrameMessage, renderHarness } from './frameHarness.js';
import { CORS_HEADERS, readBody, sendJson, sendText } from './http.js';
import type { PortalCore } from './portalCore.js';
import { handleRestRequest } from './restDispatcher.js';
import { RestError } from './restError.js';
import { METHODS } from './restMethods/index.js';
import { attachRecordFile } from './restMethods/telephony.js';
import { contentTypeFor } from './restMethods/timeline.js';
import type { JsonValue } from './types.js';

/**
 * One portal = one HTTP server on its own port, so `DOMAIN` is `127.0.0.1:<port>` and the
 * REST endpoint is `http://127.0.0.1:<port>/rest/` (brief §1.2, §7.5).
 */
export function createPortalServer(portal: PortalCore): Server {
  return createServer((req, res) => {
    route(portal, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: String(err) }, CORS_HEADERS);
      else res.destroy();
    });
  });
}

async function route(portal: PortalCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A leading `//` would parse as a host; clients that glue `/rest/` to a trailing-slash base send it.
  const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), portal.url || 'http://127.0.0.1');
  const path = url.pathname.replace(/\/{2,}/g, '/');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return;
  }
  if (/^\/rest\/upload\.json$/i.test(path) && req.method === 'POST') return upload(portal, req, res, url);
  if (path.startsWith('/rest/')) return handleRestRequest(portal, METHODS, req, res, url);
  if ((path === '/oauth/authorize/' || path === '/oauth/authorize') && req.method === 'GET') return authorize(portal, res, url);
  if (path === '/harness' && req.method === 'GET') return harness(portal, res, url);
  if (path === '/harness/api/message' && req.method === 'POST') {
    const body: unknown = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    sendJson(res, 200, await handleFrameMessage(portal, body));
    return;
  }
  if (path === '/' && req.method === 'GET') {
    sendText(res, 200, `<!doctype html><title>Bitrix24 emulator</title><p>Portal ${portal.domain}</p>`, 'text/html; charset=utf-8');
    return;
  }
  sendText(res, 404, 'Not found', 'text/plain');
}

function harness(portal: PortalCore, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  let placementOptions: JsonValue = [];
  const rawOptions = q.get('options');
  if (rawOptions) placementOptions = JSON.parse(rawOptions) as JsonValue;
  try {
    const html = renderHarness(portal, {
      userId: Number(q.get('user') ?? '1'),
      placement: (q.get('placement') ?? 'DEFAULT').toUpperCase(),
      placementOptions,
      handlerUrl: q.get('handler'),
      lang: q.get('lang'),
      reloadAfterInstall: q.get('reloadAfterInstall') === '1',
    });
    sendText(res, 200, html, 'text/html; charset=utf-8');
  } catch (err) {
    if (err instanceof HarnessError) sendText(res, 409, err.message, 'text/plain; charset=utf-8');
    else throw err;
  }
}

/** First step of the full OAuth protocol: redirect to the app's redirect URI with `code` (RD:settings/oauth/index.md). */
function authorize(portal: PortalCore, res: ServerResponse, url: URL): void {
  const clientId = url.searchParams.get('client_id');
  if (clientId !== portal.app.clientId || !portal.app.redirectUrl) {
    sendText(res, 400, 'The application is not found or has no redirect URI', 'text/plain; charset=utf-8');
    return;
  }
  const userId = Number(url.searchParams.get('user') ?? '1');
  const code = portal.emulator.tokens.issueCode(portal.memberId, userId, portal.app.clientId);
  const target = new URL(portal.app.redirectUrl);
  target.searchParams.set('code', code.code);
  const state = url.searchParams.get('state');
  if (state !== null) target.searchParams.set('state', state);
  target.searchParams.set('domain', portal.domain);
  target.searchParams.set('member_id', portal.memberId);
  target.searchParams.set('scope', portal.scopeString());
  target.searchParams.set('server_domain', new URL(portal.emulator.oauthUrl).host);
  res.writeHead(302, { location: target.toString() });
  res.end();
}

/** Multipart upload announced by telephony.externalcall.attachRecord (FILENAME without FILE_CONTENT). */
async function upload(portal: PortalCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const auth = portal.authenticate(url.searchParams.get('auth') ?? undefined);
  if (auth instanceof RestError) {
    sendJson(res, auth.status, auth.toBody(), CORS_HEADERS);
    return;
  }
  const token = url.searchParams.get('token') ?? '';
  const pending = portal.pendingUploads.get(token);
  const call = pending ? portal.externalCalls.get(pending.callId) : undefined;
  if (!pending || !call) {
    sendJson(res, 400, { error: 'ERROR_CORE', error_description: 'Upload token is not valid' }, CORS_HEADERS);
    return;
  }
  const bytes = await new Promise<Buffer | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let found = false;
    const parser = busboy({ headers: req.headers });
    parser.on('file', (_name, stream) => {
      found = true;
      stream.on('data', (c: Buffer) => chunks.push(c));
    });
    parser.on('close', () => resolve(found ? Buffer.concat(chunks) : null));
    parser.on('error', reject);
    req.pipe(parser);
  });
  if (!bytes) {
    sendJson(res, 400, { error: 'ERROR_CORE', error_description: 'File content is empty.' }, CORS_HEADERS);
    return;
  }
  portal.pendingUploads.delete(token);
  const file = portal.files.add(pending.fileName, contentTypeFor(pending.fileName), bytes, null);
  attachRecordFile(portal, call, file);
  const now = portal.now();
  sendJson(res, 200, { result: { FILE_ID: file.id }, time: buildTime(now, 0.1, 0, Math.floor(now / 1000) + 600) }, CORS_HEADERS);
}
