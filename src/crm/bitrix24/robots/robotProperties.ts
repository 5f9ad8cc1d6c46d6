import { z } from 'zod';
import { VARIABLE_NAME } from '../../../scenario/variables.js';

/**
 * The robot's input properties as a workflow fills them in (form strings, gotcha 15). Read
 * leniently: a mistyped line in the variables box should not leave the workflow waiting forever,
 * so bad lines are skipped and a bad number means "the template's setting".
 *
 * - `phone_field`: a field of the deal/lead holding the number(s) to call (e.g. `UF_CRM_MOBILE`);
 *   empty = the phones of the deal's contacts / the lead.
 * - `variables`: `name=value` per line; values may use Bitrix24's `{=Document:…}` inserts, which the
 *   portal resolves before calling us.
 * - `max_attempts`: calls per number, redials included (1–99); empty = the template's rules.
 */
export interface RobotProperties {
  phoneField: string | undefined;
  variables: Record<string, string>;
  maxAttempts: number | undefined;
}

const scalar = z.union([z.string(), z.array(z.string())]).optional();

export function readRobotProperties(raw: Record<string, unknown>): RobotProperties {
  const one = (v: unknown): string => {
    const p = scalar.safeParse(v);
    if (!p.success || p.data === undefined) return '';
    return Array.isArray(p.data) ? p.data.join('\n') : p.data;
  };
  const field = one(raw.phone_field).trim();
  const variables: Record<string, string> = {};
  for (const line of one(raw.variables).split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim();
    if (VARIABLE_NAME.test(name)) variables[name] = line.slice(at + 1).trim();
  }
  const n = Number(one(raw.max_attempts).trim());
  return {
    phoneField: /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(field) ? field : undefined,
    variables,
    maxAttempts: Number.isInteger(n) && n >= 1 && n <= 99 ? n : undefined,
  };
}
