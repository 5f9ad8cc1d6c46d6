import { checkOutboundUrl, OutboundRefused } from '../../../http/outbound.js';
import { B24Error, b24Error, transportError } from './b24Error.js';

/**
 * The wire: one POST to a portal (or its OAuth server) and its answer, nothing else. Addresses come
 * from Bitrix24 callbacks, so every URL passes the outbound policy (https only, no private ranges;
 * loopback http only with CRM_ALLOW_HTTP) — checked once per origin and remembered for a while,
 * not resolved again for each of thousands of requests.
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
  allowLoopbackHttp: boolean;
  timeoutMs?: number;
}

const CHECK_TTL_MS = 5 * 60_000;
const checkedOrigins = new Map<string, { ok: true; until: number } | { ok: false; reason: string; until: number }>();

async function checkUrl(raw: string, o: TransportOptions): Promise<void> {
  let origin: string;
  try {
    origin = new URL(raw).origin;
  } catch {
    throw new B24Error('OUTBOUND_REFUSED', 'bad_url', 0, 'final');
  }
  const key = `${o.allowLoopbackHttp ? 1 : 0}|${origin}`;
  const hit = checkedOrigins.get(key);
  if (hit && hit.until > Date.now()) {
    if (!hit.ok) throw new B24Error('OUTBOUND_REFUSED', hit.reason, 0, 'final');
    return;
  }
  try {
    await checkOutboundUrl(raw, { allowLoopbackHttp: o.allowLoopbackHttp });
    checkedOrigins.set(key, { ok: true, until: Date.now() + CHECK_TTL_MS });
  } catch (e) {
    if (e instanceof OutboundRefused) {
      checkedOrigins.set(key, { ok: false, reason: e.reason, until: Date.now() + CHECK_TTL_MS });
      throw new B24Error('OUTBOUND_REFUSED', e.reason, 0, e.reason === 'unresolvable' ? 'transient' : 'final');
    }
    throw e;
  }
}

/** POSTs and parses Bitrix24's envelope: `{result, next, total, time}` or `{error, error_description}`. */
export async function postToBitrix(
  url: string,
  body: { json: Record<string, unknown> } | { form: URLSearchParams },
  o: TransportOptions,
): Promise<RestEnvelope> {
  await checkUrl(url, o);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'json' in body ? 'application/json' : 'application/x-www-form-urlencoded',
        'user-agent': 'Dozvon-Bitrix24/1',
      },
      body: 'json' in body ? JSON.stringify(body.json) : body.form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 65_000),
    });
  } catch (e) {
    const err = e as Error;
    throw transportError(err.name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', err.message);
  }
  const text = await res.text().catch(() => '');
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
