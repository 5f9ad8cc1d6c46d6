/** Loose REST parameters as they arrive from JSON, form or query encoding. */
export type Params = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Case-insensitive parameter lookup. Most Bitrix24 methods upper-case incoming keys
 * (`ID`/`id`, `FIELDS`/`fields`, `EVENT_TOKEN`/`event_token` all work), so the emulator does too —
 * except where the brief documents a case-sensitive key (crm.timeline.comment.add `fields`).
 */
export function param(params: Params, name: string): unknown {
  if (name in params) return params[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/** Scalar to string; arrays and objects are not strings. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return undefined;
}

/** Integer from a number or numeric string (form encoding delivers everything as strings). */
export function asInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  return undefined;
}

/** Object view of a value; PHP-style lists (`a[0]=..`) become objects with numeric keys. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  return undefined;
}

/** List view of a value; objects with keys become their values (form encoding of `a[x]=..`). */
export function asArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) return Object.values(value);
  return undefined;
}

/** Bitrix24 booleans arrive as `Y`/`N`, `1`/`0`, `true`/`false` or real booleans. */
export function asBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const v = value.trim().toUpperCase();
    if (['Y', '1', 'TRUE'].includes(v)) return true;
    if (['N', '0', 'FALSE', ''].includes(v)) return false;
  }
  return undefined;
}
