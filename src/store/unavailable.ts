/**
 * "The database is not there right now" — a server restarting, a dropped connection, a pool that
 * cannot connect — as opposed to a query that is wrong. The first kind is waited out (503 to
 * callers, workers pause and resume); the second is a bug or bad input and is reported as such.
 */

// SQLSTATE classes and codes of a server going away (PostgreSQL appendix A).
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_ctl stop -m fast
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);
const CONNECTION_EXCEPTION = /^08/; // class 08: connection exception
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres and pg-pool say without a code.
const MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /connection timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (typeof cur !== 'object') return false;
    if (cur instanceof DatabaseUnavailableError) return true;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || CONNECTION_EXCEPTION.test(code) || NODE_CODES.has(code))) return true;
    const message = (cur as { message?: unknown }).message;
    if (typeof message === 'string' && MESSAGES.some((re) => re.test(message))) return true;
    // AggregateError from a connect attempt to several addresses (IPv4 and IPv6).
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}

/** Thrown where we decide ourselves that the database cannot be used now (a probe timed out). */
export class DatabaseUnavailableError extends Error {
  constructor(message = 'the database is unavailable') {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}
