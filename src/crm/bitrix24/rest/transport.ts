import { OutboundError, type OutboundHttp, type OutboundResponse } from '../../../net/outboundHttp.js';
import { B24Error, b24Error, transportError } from './b24Error.js';

/**
 * The wire: one POST to a portal (or its OAuth server) and its answer, nothing else. Addresses come
 * from Bitrix24 callbacks, so every request goes through the one outbound client (src/net), which
 * checks the address each connection really opens to (https only, no private ranges; loopback http
 * only with CRM_ALLOW_HTTP) and caps time and size.
 */
export interface RestTime {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  /** Seconds this method used in the last 10 minutes (brief §4). */
  operating?: number;
  /** Unix seconds when the oldest minute of `operating` drops out. */
  operating_reset_at?: number;
}

export interface RestEnvelope {
  result: unknown;
  next?: number;
  total?: number;
  time?: RestTime;
}

export interface TransportOptions {
  http: OutboundHttp;
  timeoutMs?: number;
}

/** POSTs and parses Bitrix24's envelope: `{result, next, total, time}` or `{error, error_description}`. */
export async function postToBitrix(
  url: string,
  body: { json: Record<string, unknown> } | { form: URLSearchParams },
  o: TransportOptions,
): Promise<RestEnvelope> {
  let res: OutboundResponse;
  try {
    res = await o.http.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'json' in body ? 'application/json' : 'application/x-www-form-urlencoded',
        'user-agent': 'Dozvon-Bitrix24/1',
      },
      body: 'json' in body ? JSON.stringify(body.json) : body.form.toString(),
      timeoutMs: o.timeoutMs ?? 65_000,
      maxResponseBytes: 64 * 1024 * 1024,
    });
  } catch (e) {
    throw asTransportError(e);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw asTransportError(e);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Under load Bitrix24 answers an HTML page (gotcha 11): nothing to read, try again later.
    throw transportError('NOT_JSON', `HTTP ${res.status}: ${text.slice(0, 80).replace(/\s+/g, ' ')}`, res.status);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw transportError('NOT_JSON', `HTTP ${res.status}: not an object`, res.status);
  const obj = parsed as Record<string, unknown>;
  if (typeof obj.error === 'string') {
    // placement.bind answers some errors with HTTP 200 (RD:widgets/placement-bind.md).
    throw b24Error(obj.error, typeof obj.error_description === 'string' ? obj.error_description : '', res.status === 200 ? 400 : res.status);
  }
  if (!res.ok) throw b24Error('', `HTTP ${res.status}`, res.status);
  return obj as unknown as RestEnvelope;
}

function asTransportError(e: unknown): B24Error {
  if (e instanceof OutboundError) {
    if (!e.transient && e.reason !== 'too_large') return new B24Error('OUTBOUND_REFUSED', e.reason, 0, 'final');
    return transportError(e.reason === 'timeout' ? 'TIMEOUT' : e.reason === 'too_large' ? 'TOO_LARGE' : 'NETWORK', e.message);
  }
  const err = e as Error;
  return transportError(err.name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', err.message);
}
