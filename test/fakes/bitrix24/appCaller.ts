import { encodeForm, parseForm } from './formEncoding.js';
import type { PortalCore } from './portalCore.js';
import type { OutboundKind, OutboundPostRecord, TokenPair } from './types.js';

/** Server-to-server callbacks come from the queue server (brief §2.3). */
const WEBHOOK_UA = 'Bitrix24 Webhook Engine';
/** Page posts come from the admin's browser. */
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) Bitrix24Emulator/1.0';

/**
 * The `auth[...]` block of events and robot calls (brief §1.3, §2.3), in the order of the captured
 * real payload. `refresh_token` only where Bitrix24 sends one (ONAPPINSTALL, robots).
 */
export function authBlock(portal: PortalCore, tokens: TokenPair, withRefresh: boolean): Record<string, string> {
  const block: Record<string, string> = {
    access_token: tokens.accessToken,
    expires: String(tokens.expires),
    expires_in: String(tokens.expiresIn),
    scope: tokens.scope,
    domain: portal.domain,
    server_endpoint: portal.serverEndpoint,
    status: portal.app.status,
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
    user_id: String(tokens.userId),
  };
  if (withRefresh) block['refresh_token'] = tokens.refreshToken;
  block['application_token'] = portal.appState.applicationToken;
  return block;
}

export interface PostOptions {
  kind: OutboundKind;
  url: string;
  form: Record<string, unknown>;
  name: string | null;
  /** Extra query params appended to the URL (app pages get DOMAIN/PROTOCOL/LANG/APP_SID there). */
  query?: Record<string, string>;
}

/**
 * POSTs `application/x-www-form-urlencoded` with PHP bracket keys to the app and records the
 * exchange. Never throws: a refused connection or timeout is recorded with `status: null`.
 */
export async function postToApp(portal: PortalCore, options: PostOptions): Promise<OutboundPostRecord> {
  const url = new URL(options.url);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const rawBody = encodeForm(options.form);
  const record: OutboundPostRecord = {
    seq: portal.nextSeq(),
    at: portal.now(),
    kind: options.kind,
    url: url.toString(),
    form: parseForm(rawBody),
    rawBody,
    name: options.name,
    status: null,
    responseBody: '',
    responseHeaders: {},
    error: null,
  };
  portal.outbound.push(record);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': options.kind === 'event' || options.kind === 'robot' ? WEBHOOK_UA : BROWSER_UA,
      },
      body: rawBody,
      redirect: 'manual',
      signal: AbortSignal.timeout(portal.emulator.options.outboundTimeoutMs),
    });
    record.status = response.status;
    response.headers.forEach((value, key) => {
      record.responseHeaders[key] = value;
    });
    record.responseBody = await response.text();
  } catch (err) {
    record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return record;
}
