import qs from 'qs';
import { b24Error } from './b24Error.js';
import type { RestTime } from './transport.js';

/**
 * `batch` (brief §3.3) on the wire: commands are `"method?query"` strings in PHP bracket syntax;
 * the answer spreads each command's outcome over `result`, `result_error`, `result_total`,
 * `result_next`, `result_time`, each a PHP array (`[]` when empty, an object when keyed).
 *
 * Every command is judged by itself: a key in `result_error` is a failure even when its code is
 * empty — b24jssdk reports those as successes (gotcha 18), which would hide a missing deal.
 */
export interface Command {
  method: string;
  params: Record<string, unknown>;
}

export type CommandOutcome =
  | { ok: true; result: unknown; total: number | undefined; next: number | undefined; time: RestTime | undefined }
  | { ok: false; error: ReturnType<typeof b24Error> };

export function encodeCommand(c: Command): string {
  const query = qs.stringify(c.params, { arrayFormat: 'indices', encodeValuesOnly: false });
  return query ? `${c.method}?${query}` : c.method;
}

/** `$result[key]` references inside params, renamed when the command's unit gets a key prefix. */
export function prefixRefs(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') return value.replace(/\$result\[([^\]]+)\]/g, (_m, key: string) => `$result[${prefix}${key}]`);
  if (Array.isArray(value)) return value.map((v) => prefixRefs(v, prefix));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prefixRefs(v, prefix)]));
  return value;
}

const asMap = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function decodeBatch(result: unknown, keys: string[]): Map<string, CommandOutcome> {
  const r = asMap(result);
  const ok = asMap(r.result);
  const errors = asMap(r.result_error);
  const totals = asMap(r.result_total);
  const nexts = asMap(r.result_next);
  const times = asMap(r.result_time);
  const out = new Map<string, CommandOutcome>();
  for (const key of keys) {
    const err = errors[key];
    if (err !== undefined) {
      const e = asMap(err);
      const code = typeof e.error === 'string' ? e.error : '';
      // Sub-calls carry no HTTP status; map the codes that mean "refused before running" to theirs.
      const status = code === 'QUERY_LIMIT_EXCEEDED' ? 503 : code === 'OPERATION_TIME_LIMIT' ? 429 : code === 'INTERNAL_SERVER_ERROR' ? 500 : 400;
      out.set(key, { ok: false, error: b24Error(code, typeof e.error_description === 'string' ? e.error_description : '', status) });
    } else if (key in ok) {
      const total = totals[key];
      const next = nexts[key];
      out.set(key, {
        ok: true,
        result: ok[key],
        total: typeof total === 'number' ? total : undefined,
        next: typeof next === 'number' ? next : undefined,
        time: times[key] as RestTime | undefined,
      });
    } else {
      // Not run at all (a halted batch, or more than 50 commands).
      out.set(key, { ok: false, error: b24Error('NOT_EXECUTED', 'the batch did not run this command', 503) });
    }
  }
  return out;
}
