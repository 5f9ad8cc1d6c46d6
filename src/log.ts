import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs. Secrets never reach them: before a line is written, every object in it is
 * walked to any depth — errors (`err`, their `params` and `cause`), request payloads, whatever a
 * caller passed — and a value is replaced by `[redacted]` when its key names a secret or the value
 * itself looks like one (a password hash, a JWT, a bearer header). pino's `redact` paths cannot do
 * this: a wildcard matches one level, and a password hash once reached the log inside `err.params`.
 */
export type { Logger };

export const REDACTED = '[redacted]';

// Compared against the key lower-cased with everything but letters and digits removed.
const SECRET_KEY = /password|passwd|secret|authorization|cookie|apikey|privatekey|setupcode|signature|credential|token$|tokens$|tokenenc$|^auth$|^authid$|^refreshid$|^sig$/;
const SECRET_VALUE = [
  /^scrypt\$\d+\$/, // our password hashes (src/engine/auth/passwords.ts)
  /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/, // JWTs: sessions, amoCRM widget tokens
  /^(bearer|basic)\s+\S+/i, // Authorization header values
];
const MAX_DEPTH = 10;

const isSecretKey = (key: string) => SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
const isSecretValue = (v: string) => SECRET_VALUE.some((re) => re.test(v));

/** A secret key hides its value, except an `auth` block (Bitrix24's), which is walked: its member_id and domain help. */
function redactsWhole(key: string, v: unknown): boolean {
  if (v === null || v === undefined || v === '' || !isSecretKey(key)) return false;
  return !(typeof v === 'object' && /^auth$/i.test(key));
}

/** A copy of `value` with every secret replaced; errors become plain objects with their stack. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return isSecretValue(value) ? REDACTED : value;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactSecrets(pino.stdSerializers.errWithCause(value), depth, seen);
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (value instanceof Date || value instanceof URL) return value;
    if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
    if (value instanceof Map) return redactSecrets(Object.fromEntries(value), depth, seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactsWhole(k, v) ? REDACTED : redactSecrets(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

export function createLogger(level: string, o: { name?: string; destination?: DestinationStream } = {}): Logger {
  const options = {
    name: o.name ?? 'dozvon',
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Runs on every line's merged object before it is serialised (errors included, see above).
    formatters: { log: (obj: Record<string, unknown>) => redactSecrets(obj) as Record<string, unknown> },
    // Errors were made plain (stack and cause kept) by the formatter; serialising again would lose their type.
    serializers: { err: (e: unknown) => e },
  };
  const root = o.destination ? pino(options, o.destination) : pino(options);
  // Child bindings skip `formatters` in pino; every child inherits this override from the root.
  type ChildFn = (this: Logger, bindings: Record<string, unknown>, opts?: object) => Logger;
  const rawChild = (Object.getPrototypeOf(root) as { child: ChildFn }).child;
  const redactingChild: ChildFn = function (bindings, opts) {
    return rawChild.call(this, redactSecrets(bindings) as Record<string, unknown>, opts);
  };
  (root as unknown as { child: ChildFn }).child = redactingChild;
  return root;
}
