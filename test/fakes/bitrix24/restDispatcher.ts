import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildTime } from './envelope.js';
import { parseBody, parseForm } from './formEncoding.js';
import { CORS_HEADERS, readBody, sendJson, sendText } from './http.js';
import { asString, type Params } from './params.js';
import type { AuthContext, PortalCore } from './portalCore.js';
import { RestError, errors } from './restError.js';
import type { CallContext, CallOutcome, MethodTable, SubCallRunner } from './restMethods/registry.js';
import type { FaultSpec } from './types.js';

/** Simulated seconds per row examined: COUNT-style scans of big tables get expensive (brief §3.4). */
const COST_PER_SCANNED_ROW = 0.00002;

/** Normalises `Telephony.ExternalCall.Register.json` → `telephony.externalcall.register`. */
export function normaliseMethod(name: string): string {
  return name.replace(/\.json$/i, '').toLowerCase();
}

/** Strips the SDK's telemetry params (`bx24_request_id`, ...; brief §7.5) and `auth`. */
function recordedParams(params: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'auth' || k.startsWith('bx24_')) continue;
    out[k] = v;
  }
  return out;
}

function faultError(fault: FaultSpec): RestError {
  return new RestError(fault.status ?? 500, fault.error ?? 'INTERNAL_SERVER_ERROR', fault.description ?? 'Internal server error');
}

export interface ExecuteOptions {
  batch: { seq: number; key: string } | null;
  /** Top-level calls consume faults before authentication; sub-calls here. */
  checkFaults: boolean;
}

/**
 * Runs one method for an authenticated caller: fault injection, method lookup, scope check,
 * operating limit, execution, cost accounting, recording. Used for top-level calls and batch
 * sub-calls alike, so both count toward the method's operating time (RD:limits.md).
 */
export async function executeMethod(
  portal: PortalCore,
  methods: MethodTable,
  auth: AuthContext,
  methodAsSent: string,
  params: Params,
  options: ExecuteOptions,
): Promise<CallOutcome> {
  const method = normaliseMethod(methodAsSent);
  const start = portal.now();
  const seq = portal.nextSeq();
  const ctx: CallContext = {
    portal,
    auth,
    params,
    method,
    now: start,
    scanned: 0,
    extraCost: 0,
    inBatch: options.batch !== null,
    runSubCall: null,
  };
  const opKey = portal.operatingKey(auth, method);
  let output: CallOutcome['output'] = null;
  let error: RestError | null = null;
  let executed = false;
  try {
    const fault = options.checkFaults ? portal.takeFault(method, params) : undefined;
    if (fault) throw faultError(fault);
    const def = methods[method];
    if (!def) throw errors.methodNotFound();
    if (def.scopes.length > 0 && !def.scopes.some((s) => auth.scopes.has(s))) throw errors.insufficientScope();
    if (method !== 'batch' && portal.operating.isBlocked(opKey)) throw errors.operationTimeLimit();
    if (method === 'batch') ctx.runSubCall = makeSubCallRunner(portal, methods, auth, seq);
    executed = true;
    output = await def.run(ctx);
  } catch (err) {
    error = err instanceof RestError ? err : errors.internal(err instanceof Error ? err.message : String(err));
  }
  // The outer batch is not charged (RD:limits.md); every executed method is, even if it failed.
  const cost = method === 'batch' || !executed ? 0 : portal.costOf(method) + ctx.extraCost + ctx.scanned * COST_PER_SCANNED_ROW * portal.costScale;
  if (cost > 0) portal.operating.add(opKey, cost);
  const usage = portal.operating.usage(opKey);
  const time = buildTime(start, cost, method === 'batch' ? 0 : usage.operating, usage.resetAt);
  const status = error ? error.status : 200;
  portal.calls.push({
    seq,
    at: start,
    method,
    methodAsSent,
    params: recordedParams(params),
    userId: auth.user.id,
    credential: auth.credential,
    token: auth.token,
    status,
    error: error ? error.code : null,
    errorDescription: error ? error.description : null,
    batch: options.batch,
    scannedRows: ctx.scanned,
    cost,
  });
  return { status, output: error ? null : output, error, time };
}

function makeSubCallRunner(portal: PortalCore, methods: MethodTable, auth: AuthContext, batchSeq: number): SubCallRunner {
  return (methodAsSent, params, key) =>
    executeMethod(portal, methods, auth, methodAsSent, params, { batch: { seq: batchSeq, key }, checkFaults: true });
}

/** Parses `/rest/<method>`, `/rest/<user>/<secret>/<method>` with any number of doubled slashes. */
export function parseRestPath(pathname: string): { method: string; hook: { userId: number; secret: string } | null } | null {
  const parts = pathname.split('/').filter((p) => p.length > 0);
  if (parts[0] !== 'rest') return null;
  const rest = parts.slice(1).map((p) => decodeURIComponent(p));
  if (rest.length === 1 && rest[0]) return { method: rest[0], hook: null };
  if (rest.length === 3 && /^\d+$/.test(rest[0] ?? '') && rest[2]) {
    return { method: rest[2], hook: { userId: Number(rest[0]), secret: rest[1] ?? '' } };
  }
  return null;
}

/** The HTTP face of the portal's REST API. */
export async function handleRestRequest(
  portal: PortalCore,
  methods: MethodTable,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const start = portal.now();
  const route = parseRestPath(url.pathname);
  if (!route) {
    sendJson(res, 404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }, CORS_HEADERS);
    return;
  }
  let params: Params;
  try {
    const body = await readBody(req);
    params = { ...parseForm(url.search), ...parseBody(body, req.headers['content-type']) };
  } catch {
    sendJson(res, 400, { error: 'INVALID_REQUEST', error_description: 'Request body is not valid' }, CORS_HEADERS);
    return;
  }
  const method = normaliseMethod(route.method);
  const reject = (error: RestError, auth: AuthContext | null) => {
    portal.calls.push({
      seq: portal.nextSeq(),
      at: start,
      method,
      methodAsSent: route.method,
      params: recordedParams(params),
      userId: auth?.user.id ?? null,
      credential: auth?.credential ?? null,
      token: auth?.token ?? asString(params['auth']) ?? null,
      status: error.status,
      error: error.code,
      errorDescription: error.description,
      batch: null,
      scannedRows: 0,
      cost: 0,
    });
    sendJson(res, error.status, error.toBody(), CORS_HEADERS);
  };

  // Every request counts toward the portal's leaky bucket, a batch as one (RD:limits.md).
  if (!portal.bucket.tryTake()) return reject(errors.queryLimit(), null);

  const fault = portal.takeRequestFault(method, params);
  if (fault?.afterRun) {
    const auth = route.hook ? portal.authenticateWebhook(route.hook.userId, route.hook.secret) : portal.authenticate(asString(params['auth']));
    if (!(auth instanceof RestError)) await executeMethod(portal, methods, auth, route.method, params, { batch: null, checkFaults: false });
  }
  if (fault) {
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.body !== undefined) {
      portal.calls.push({
        seq: portal.nextSeq(), at: start, method, methodAsSent: route.method, params: recordedParams(params),
        userId: null, credential: null, token: asString(params['auth']) ?? null, status: fault.status ?? 500,
        error: 'FAULT_RAW_BODY', errorDescription: null, batch: null, scannedRows: 0, cost: 0,
      });
      sendText(res, fault.status ?? 500, fault.body, fault.contentType ?? 'text/html; charset=UTF-8', CORS_HEADERS);
      return;
    }
    return reject(faultError(fault), null);
  }

  const auth = route.hook
    ? portal.authenticateWebhook(route.hook.userId, route.hook.secret)
    : portal.authenticate(asString(params['auth']));
  if (auth instanceof RestError) return reject(auth, null);

  const outcome = await executeMethod(portal, methods, auth, route.method, params, { batch: null, checkFaults: false });
  if (outcome.error) {
    sendJson(res, outcome.status, outcome.error.toBody(), CORS_HEADERS);
    return;
  }
  const body: Record<string, unknown> = { result: outcome.output?.result ?? null };
  if (outcome.output?.next !== undefined) body['next'] = outcome.output.next;
  if (outcome.output?.total !== undefined) body['total'] = outcome.output.total;
  body['time'] = outcome.time;
  sendJson(res, 200, body, CORS_HEADERS);
}
