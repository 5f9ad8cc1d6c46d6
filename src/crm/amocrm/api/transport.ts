import { OutboundError, type OutboundHttp, type OutboundResponse } from '../../../net/outboundHttp.js';
import { AmoError, type ValidationIssue } from './amoError.js';

/**
 * The wire: one request to an account's API (or its OAuth endpoint) and its answer, nothing else.
 * Hosts come from amoCRM's callbacks, so every request goes through the one outbound client
 * (src/net), which checks the address each connection really opens to and caps time and size.
 * Tokens travel only in headers and bodies, never in URLs, and never reach a log.
 */
export interface AmoRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** `/api/v4/leads` — appended to the account's base URL. */
  path: string;
  /** Already encoded (`filter[id][]=1&limit=250`), without `?`. */
  query?: string;
  body?: unknown;
  /** Bearer token; absent for the OAuth endpoint. */
  accessToken?: string;
  /** Further headers (`X-Refresh-Token` for the account-domain lookup). */
  headers?: Record<string, string>;
}

export interface AmoAnswer {
  status: number;
  /** Parsed JSON; undefined for 204 (an empty list, gotcha 5). */
  body: unknown;
  headers: Headers;
}

export interface TransportOptions {
  http: OutboundHttp;
  timeoutMs?: number;
}

export async function amoRequest(baseUrl: string, r: AmoRequest, o: TransportOptions): Promise<AmoAnswer> {
  const url = `${baseUrl}${r.path}${r.query ? `?${r.query}` : ''}`;
  const write = r.method !== 'GET';
  let res: OutboundResponse;
  try {
    res = await o.http.fetch(url, {
      method: r.method,
      headers: {
        accept: 'application/hal+json, application/json',
        'user-agent': 'Dozvon-amoCRM/1',
        ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(r.accessToken ? { authorization: `Bearer ${r.accessToken}` } : {}),
        ...r.headers,
      },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
      timeoutMs: o.timeoutMs ?? 30_000,
      maxResponseBytes: 32 * 1024 * 1024,
    });
  } catch (e) {
    throw transportFailure(e, write);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw transportFailure(e, write);
  }
  const requestId = res.headers.get('x-request-id');
  if (res.status === 204) return { status: 204, body: undefined, headers: res.headers };
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) {
    if (body === undefined && text) throw new AmoError('transient', 'NOT_JSON', `HTTP ${res.status}: not JSON`, res.status, { maybeApplied: write, requestId });
    return { status: res.status, body, headers: res.headers };
  }
  throw errorOf(res.status, body, res.headers, write, requestId);
}

function errorOf(status: number, body: unknown, headers: Headers, write: boolean, requestId: string | null): AmoError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const title = typeof b.title === 'string' ? b.title : `HTTP ${status}`;
  const detail = [b.detail, b.hint].filter((x) => typeof x === 'string').join(' — ') || title;
  if (status === 429) {
    const header = Number(headers.get('retry-after'));
    const inBody = Number(b.retry_after);
    const seconds = Number.isFinite(header) && header > 0 ? header : Number.isFinite(inBody) && inBody > 0 ? inBody : 1;
    return new AmoError('limit', 'TOO_MANY_REQUESTS', detail, status, { retryAfterMs: seconds * 1000, requestId });
  }
  if (status === 403) return new AmoError('blocked', 'FORBIDDEN', 'the account refuses every request (a ban after too many requests?)', status, { requestId });
  if (status === 402) return new AmoError('blocked', 'PAYMENT_REQUIRED', "the account's subscription has ended", status, { requestId });
  if (status === 401) return new AmoError('auth', 'UNAUTHORIZED', detail, status, { requestId });
  if (status >= 500 || status === 408) return new AmoError('transient', title, detail, status, { maybeApplied: write, requestId });
  return new AmoError('final', title, detail, status, { issues: issuesOf(b), requestId });
}

/** `validation-errors: [{request_id, errors: [{code, path, detail}]}]` (brief §3). */
function issuesOf(b: Record<string, unknown>): ValidationIssue[] {
  const list = b['validation-errors'];
  if (!Array.isArray(list)) return [];
  return list.flatMap((v: { request_id?: unknown; errors?: unknown }) =>
    (Array.isArray(v.errors) ? (v.errors as { code?: unknown; path?: unknown; detail?: unknown }[]) : []).map((e) => ({
      requestId: String(v.request_id ?? ''),
      code: String(e.code ?? ''),
      path: String(e.path ?? ''),
      detail: String(e.detail ?? ''),
    })),
  );
}

function transportFailure(e: unknown, write: boolean): AmoError {
  if (e instanceof OutboundError) {
    if (!e.transient && e.reason !== 'too_large') return new AmoError('final', 'OUTBOUND_REFUSED', e.reason, 0);
    return new AmoError('transient', e.reason === 'timeout' ? 'TIMEOUT' : 'NETWORK', e.message, 0, { maybeApplied: write });
  }
  const err = e as Error;
  return new AmoError('transient', err.name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', err.message, 0, { maybeApplied: write });
}
