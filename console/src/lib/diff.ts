/**
 * A readable difference between two versions of a settings object: the leaves that changed, by
 * dotted path, with the value before and after (absent = undefined). Arrays of scalars compare as
 * one value; arrays of objects by position.
 */
export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function leaves(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) {
      out.set(prefix, v);
      return;
    }
    v.forEach((x, i) => leaves(x, prefix ? `${prefix}.${i}` : String(i), out));
    return;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, Json>);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, x] of entries) leaves(x, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, v);
}

export function diffSettings(before: unknown, after: unknown): Change[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(before, '', a);
  leaves(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
}

/** A value as a person reads it: text as is, lists joined, yes/no, nothing as an em dash. */
export function showValue(v: unknown, yes: string, no: string): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? yes : no;
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
