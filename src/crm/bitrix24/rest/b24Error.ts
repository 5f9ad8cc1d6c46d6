/**
 * One error type for everything a portal or its OAuth server can answer, classified once so the
 * scheduler and the outbox handlers decide the same way:
 *
 * - `limit`      503 QUERY_LIMIT_EXCEEDED / 429 OPERATION_TIME_LIMIT: refused before running, safe
 *                to send again after a wait (brief §4).
 * - `auth`       401 expired_token / invalid_token: refresh the token and send again.
 * - `transient`  5xx, timeouts, refused connections, HTML instead of JSON (gotcha 11): retry later.
 * - `revoked`    401 NO_AUTH_FOUND, OAuth invalid_grant / invalid_client: the portal must
 *                re-authorise (or the app was removed); retrying cannot help.
 * - `final`      anything else (403 ACCESS_DENIED of a stale event token, validation errors, "Not
 *                found" with its empty code — gotcha 18): the request itself is wrong.
 */
export type B24ErrorKind = 'limit' | 'auth' | 'transient' | 'revoked' | 'final';

export class B24Error extends Error {
  constructor(
    /** Bitrix24's code (`QUERY_LIMIT_EXCEEDED`, `ACCESS_DENIED`, possibly ''), or ours for transport failures. */
    readonly code: string,
    readonly description: string,
    /** HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    readonly kind: B24ErrorKind,
  ) {
    super(`Bitrix24 ${code || '(no code)'}${status ? ` HTTP ${status}` : ''}: ${description}`);
    this.name = 'B24Error';
  }
}

const AUTH_CODES = new Set(['expired_token', 'invalid_token']);
const REVOKED_CODES = new Set(['NO_AUTH_FOUND', 'invalid_grant', 'invalid_client', 'PORTAL_DELETED', 'PAYMENT_REQUIRED']);

/** Classifies a REST or OAuth error answer. */
export function classifyError(code: string, status: number): B24ErrorKind {
  if (code === 'QUERY_LIMIT_EXCEEDED' || code === 'OPERATION_TIME_LIMIT' || status === 429) return 'limit';
  if (status === 503 && code !== 'OVERLOAD_LIMIT') return 'limit';
  if (AUTH_CODES.has(code)) return 'auth';
  if (REVOKED_CODES.has(code)) return 'revoked';
  if (status >= 500 || status === 0) return 'transient';
  return 'final';
}

export function b24Error(code: string, description: string, status: number): B24Error {
  return new B24Error(code, description, status, classifyError(code, status));
}

/** A transport failure (no answer, or not JSON): always worth another try later. */
export function transportError(code: string, description: string, status = 0): B24Error {
  return new B24Error(code, description, status, 'transient');
}

export const isB24Error = (e: unknown): e is B24Error => e instanceof B24Error;

/** Stale event token (gotcha 14): `bizproc.event.send` / `activity.log` after the workflow moved on. */
export const isAccessDenied = (e: unknown): boolean => isB24Error(e) && e.code === 'ACCESS_DENIED';
