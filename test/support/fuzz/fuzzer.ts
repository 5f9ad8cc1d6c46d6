import fc from 'fast-check';
import { settleBackgroundWork } from '../../../src/engine/handleCallEvent.js';
import { mp3Idle } from '../../../src/engine/recordingMp3.js';
import type { MountedRoute } from '../../../src/http/routeTable.js';
import type { Db } from '../../../src/store/db.js';
import type { TestApp } from '../app.js';
import type { FuzzBody } from './arbitraries.js';
import { genericFuzz, pathParam, ROUTE_FUZZERS, type FuzzContext } from './routes.js';

/**
 * The fuzz driver (R1, R3): generates requests for every mounted route from the route table,
 * sends each, and checks the two promises of issue 8 — nothing answers 5xx, and a request that is
 * refused (4xx) wrote nothing: every table has the same rows (count and content) after it.
 */
export interface FuzzRequest {
  /** The route as mounted, e.g. `POST /api/v1/campaigns/:id/numbers`. */
  route: string;
  method: MountedRoute['method'];
  path: string;
  query: string;
  headers: Record<string, string>;
  body: FuzzBody | undefined;
}

export interface FuzzFinding {
  request: FuzzRequest;
  status: number;
  answer: string;
  /** Tables a refused request changed: `name: before → after`. */
  changed?: string[];
}

/**
 * Tables a refused request may legitimately touch — bookkeeping, not data: API keys and users
 * record when they were last used (content only); failed sign-ins are counted by the login
 * limiter; checking a portal user's token with the portal books a slot of that portal's request
 * pace (b24_portal_pacing), shared by every process.
 */
export const REFUSALS_MAY_WRITE = { contentOnly: new Set(['api_keys', 'users']), any: /^b24_portal_pacing$|login|limiter|rate_limit|sessions/ };

export function requestArbitrary(routes: readonly MountedRoute[], c: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((r) => {
    const key = `${r.method} ${r.path}`;
    const f = { ...genericFuzz(c), ...(ROUTE_FUZZERS[key]?.(c) ?? {}) };
    const segments = r.path.split('/');
    const params = segments.map((seg, i) => {
      if (!seg.startsWith(':')) return fc.constant(seg);
      const name = seg.slice(1).replace(/\(.*$/, '');
      const real = name === 'numberId' ? c.ids.numbers : name === 'id' ? c.ids[segments[i - 1] ?? ''] : undefined;
      return f.params?.[name] ?? pathParam(real);
    });
    return fc.record({
      segments: fc.tuple(...params),
      query: f.query ?? fc.constant(''),
      headers: f.headers ?? fc.constant({}),
      body: r.method === 'GET' ? fc.constant(undefined) : (f.body ?? fc.constant(undefined)),
    }).map(({ segments: s, query, headers, body }) => ({ route: key, method: r.method, path: s.join('/'), query, headers, body }));
  });
}

/** Header values as the bytes a client would send (UTF-8 read as latin1), minus the control characters HTTP forbids there. */
function wireHeaders(h: Record<string, string>): Record<string, string> {
  // eslint-disable-next-line no-control-regex -- removing exactly those characters is the point
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')]));
}

export async function send(url: string, req: FuzzRequest): Promise<{ status: number; answer: string }> {
  const headers = wireHeaders({ ...req.headers, ...(req.body?.extraHeaders ?? {}) });
  if (req.body?.contentType) headers['content-type'] = req.body.contentType;
  const res = await fetch(`${url}${req.path}${req.query ? `?${req.query}` : ''}`, {
    method: req.method,
    headers,
    body: req.body ? new Uint8Array(req.body.data) : undefined,
    redirect: 'manual',
    // Longer than the longest legitimate wait (GET /api/v1/attempts/:id?wait=120 long-polls 120 s),
    // so only a request that hangs counts as unanswered.
    signal: AbortSignal.timeout(180_000),
  });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    // A live stream (GET /api/v1/events) does not end by itself: its first event is the answer,
    // then the client hangs up, as a browser leaving the page does.
    const reader = res.body?.getReader();
    const first = await reader?.read();
    await reader?.cancel();
    return { status: res.status, answer: Buffer.from(first?.value ?? new Uint8Array()).toString('utf8').slice(0, 500) };
  }
  const answer = await res.text();
  return { status: res.status, answer: answer.slice(0, 500) };
}

/** Row count and a digest of the content of every table, in one statement. */
export async function fingerprint(db: Db): Promise<Map<string, string>> {
  const tables = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
  const names = tables.rows.map((r) => r.name).filter((n) => n !== 'agenda_jobs' && !REFUSALS_MAY_WRITE.any.test(n));
  const sql = names.map((n) => `SELECT '${n}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS print FROM "${n}" t`).join(' UNION ALL ');
  const r = await db.query<{ name: string; print: string }>(sql);
  return new Map(r.rows.map((x) => [x.name, x.print]));
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [name, was] of before) {
    const now = after.get(name) ?? '';
    const [countWas] = was.split(':');
    const [countNow] = now.split(':');
    if (REFUSALS_MAY_WRITE.contentOnly.has(name) ? countWas !== countNow : was !== now) out.push(`${name}: ${was} → ${now}`);
  }
  return out;
}

/**
 * Sends one request and judges it. Work a request starts in the background (a test call's
 * simulated call, its callbacks, its recording and MP3 copy) is waited for before the next fingerprint, so one request's
 * consequences are never blamed on the next.
 */
export async function judge(t: TestApp, req: FuzzRequest): Promise<FuzzFinding | undefined> {
  const db = t.dozvon.app.db;
  const before = await fingerprint(db);
  let result: { status: number; answer: string };
  try {
    result = await send(t.url, req);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { request: req, status: 0, answer: `no answer: ${(e as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''})` };
  }
  await t.dozvon.requests.idle();
  await t.dozvon.sandbox.drain();
  await t.dozvon.requests.idle();
  // A finished call's recording download and its MP3 copy follow the callbacks in the background.
  await settleBackgroundWork(t.dozvon.app);
  await mp3Idle(t.dozvon.app);
  if (result.status >= 500) return { request: req, ...result };
  if (result.status >= 400) {
    const changed = differences(before, await fingerprint(db));
    if (changed.length) return { request: req, ...result, changed };
  }
  return undefined;
}

/** A finding as one readable paragraph (what was sent, what came back). */
export function describeFinding(f: FuzzFinding): string {
  const body = f.request.body ? `${f.request.body.contentType ?? '(no type)'} ${JSON.stringify(f.request.body.data.subarray(0, 300).toString('utf8'))}` : '(no body)';
  return `${f.request.route} → ${f.request.method} ${f.request.path}?${f.request.query} ${JSON.stringify(f.request.headers)}\n  body: ${body}\n  answer ${f.status}: ${f.answer}${f.changed ? `\n  changed: ${f.changed.join('; ')}` : ''}`;
}
