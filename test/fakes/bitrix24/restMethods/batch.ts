import { phpArray } from '../envelope.js';
import { parseForm } from '../formEncoding.js';
import { asBool, isRecord, param, type Params } from '../params.js';
import { RestError } from '../restError.js';
import type { MethodTable } from './registry.js';

const MAX_COMMANDS = 50;
const RESULT_REF = /\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

/** Follows `[a][b][0]` into a previous sub-call result. */
function lookup(results: Map<string, unknown>, key: string, path: string): unknown {
  let value: unknown = results.get(key);
  for (const m of path.matchAll(/\[([^\]]*)\]/g)) {
    const step = m[1] ?? '';
    if (Array.isArray(value)) value = value[Number(step)];
    else if (isRecord(value)) value = value[step];
    else return undefined;
  }
  return value;
}

/**
 * Replaces `$result[key][field]` references in parsed sub-call params (RD:batch.md): a value
 * that is exactly one reference takes the referenced value as is (arrays too), references
 * inside longer strings are substituted as text.
 */
function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$result\[([^\]]+)\]((?:\[[^\]]*\])*)$/.exec(value);
    if (whole) return lookup(results, whole[1] ?? '', whole[2] ?? '') ?? '';
    return value.replace(RESULT_REF, (_m, key: string, path: string) => {
      const v = lookup(results, key, path);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  return value;
}

/**
 * `batch` (brief §3.3): up to 50 `"method?query"` commands, object or list, run in order with the
 * caller's token; HTTP 200 even when sub-calls fail; `halt` stops at the first failure; result
 * maps are PHP arrays (`[]` when empty). The batch counts once in the leaky bucket, each
 * sub-call in its method's operating time.
 */
export const batchMethods: MethodTable = {
  batch: {
    scopes: [],
    async run(ctx) {
      if (ctx.inBatch || !ctx.runSubCall) {
        throw new RestError(400, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
      }
      const cmd = param(ctx.params, 'cmd');
      const halt = asBool(param(ctx.params, 'halt')) ?? false;
      const entries: Array<[string, unknown]> = Array.isArray(cmd)
        ? cmd.map((v, i) => [String(i), v])
        : isRecord(cmd)
          ? Object.entries(cmd)
          : [];
      const results = new Map<string, unknown>();
      const result: Array<[string, unknown]> = [];
      const resultError: Array<[string, unknown]> = [];
      const resultTotal: Array<[string, unknown]> = [];
      const resultNext: Array<[string, unknown]> = [];
      const resultTime: Array<[string, unknown]> = [];

      for (const [index, [key, command]] of entries.entries()) {
        if (index >= MAX_COMMANDS) {
          resultError.push([key, { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' }]);
          continue;
        }
        if (typeof command !== 'string' || command.trim() === '') {
          resultError.push([key, { error: 'INVALID_REQUEST', error_description: 'Wrong command' }]);
          if (halt) break;
          continue;
        }
        const q = command.indexOf('?');
        const methodName = (q < 0 ? command : command.slice(0, q)).trim();
        const subParams = substitute(q < 0 ? {} : parseForm(command.slice(q + 1)), results) as Params;
        if (methodName.toLowerCase() === 'batch') {
          resultError.push([key, { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' }]);
          if (halt) break;
          continue;
        }
        const outcome = await ctx.runSubCall(methodName, subParams, key);
        if (outcome.error) {
          resultError.push([key, { error: outcome.error.code, error_description: outcome.error.description }]);
          if (halt) break;
          continue;
        }
        const output = outcome.output;
        results.set(key, output?.result);
        result.push([key, output?.result ?? null]);
        if (output?.total !== undefined) resultTotal.push([key, output.total]);
        if (output?.next !== undefined) resultNext.push([key, output.next]);
        resultTime.push([key, outcome.time]);
      }
      return {
        result: {
          result: phpArray(result),
          result_error: phpArray(resultError),
          result_total: phpArray(resultTotal),
          result_next: phpArray(resultNext),
          result_time: phpArray(resultTime),
        },
      };
    },
  },
};
