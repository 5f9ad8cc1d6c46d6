import { isRecord } from '../params.js';

/**
 * The list engine behind `crm.*.list` and `crm.item.list`: Bitrix24 filter prefixes, ordering and
 * 50-row paging with `next`/`total`, plus the `>ID` + `start=-1` fast path (brief §3.4) that
 * reads only the rows it returns instead of counting the whole table.
 */
export type FilterOp =
  | 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'notIn' | 'like' | 'notLike' | 'pattern' | 'notPattern';

export interface FilterCond {
  op: FilterOp;
  field: string;
  value: unknown;
}

export interface FilterGroup {
  logic: 'AND' | 'OR';
  items: Array<FilterCond | FilterGroup>;
}

export type SortDir = 'ASC' | 'DESC';

export const PAGE_SIZE = 50;

/** Longest prefixes first, so `>=` is not read as `>` + `=FIELD` (RD:crm-deal-list.md). */
const PREFIXES: ReadonlyArray<[string, FilterOp]> = [
  ['!=%', 'notPattern'], ['!%', 'notLike'], ['!@', 'notIn'], ['!=', 'neq'], ['>=', 'gte'], ['<=', 'lte'],
  ['=%', 'pattern'], ['%=', 'pattern'], ['>', 'gt'], ['<', 'lt'], ['=', 'eq'], ['!', 'neq'], ['@', 'in'], ['%', 'like'],
];

/**
 * Parses a filter object. `resolve` maps a field name as the client wrote it to the stored field
 * name, or undefined for unknown fields, which Bitrix24 ignores rather than rejecting.
 * Nested objects (numeric keys) with `LOGIC`/`logic` form groups (crm.item.list `logic:'OR'`).
 */
export function parseFilter(filter: unknown, resolve: (name: string) => string | undefined): FilterGroup {
  const group: FilterGroup = { logic: 'AND', items: [] };
  if (!isRecord(filter)) return group;
  for (const [rawKey, value] of Object.entries(filter)) {
    if (rawKey.toLowerCase() === 'logic') {
      group.logic = String(value).toUpperCase() === 'OR' ? 'OR' : 'AND';
      continue;
    }
    if (/^\d+$/.test(rawKey) || rawKey.startsWith('__')) {
      if (isRecord(value)) group.items.push(parseFilter(value, resolve));
      continue;
    }
    let op: FilterOp = 'eq';
    let name = rawKey;
    for (const [prefix, prefixOp] of PREFIXES) {
      if (rawKey.startsWith(prefix)) {
        op = prefixOp;
        name = rawKey.slice(prefix.length);
        break;
      }
    }
    const field = resolve(name);
    if (field === undefined) continue;
    group.items.push({ op, field, value });
  }
  return group;
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{2}\.\d{2}\.\d{4}/;

function toComparable(value: unknown): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  const text = String(value);
  if (NUMERIC.test(text)) return Number(text);
  if (DATE_LIKE.test(text)) {
    const ru = /^(\d{2})\.(\d{2})\.(\d{4})(.*)$/.exec(text);
    const ms = Date.parse(ru ? `${ru[3]}-${ru[2]}-${ru[1]}${ru[4] ?? ''}` : text);
    if (Number.isFinite(ms)) return ms;
  }
  return text.toLowerCase();
}

/** Three-way comparison with SQL-ish typing; null when either side is empty or types differ. */
export function compareValues(a: unknown, b: unknown): number | null {
  const x = toComparable(a);
  const y = toComparable(b);
  if (x === null || y === null) return null;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  return null;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function equals(a: unknown, b: unknown): boolean {
  if (isEmpty(b)) return isEmpty(a);
  const c = compareValues(a, b);
  return c === 0;
}

function likePattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function valuesOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return Object.values(v);
  return [v];
}

/** Whether one stored value (scalar) satisfies a positive condition. */
function matchOne(op: FilterOp, stored: unknown, wanted: unknown): boolean {
  switch (op) {
    case 'eq':
      return Array.isArray(wanted) || isRecord(wanted) ? valuesOf(wanted).some((w) => equals(stored, w)) : equals(stored, wanted);
    case 'in':
      return valuesOf(wanted).some((w) => equals(stored, w));
    case 'gt': { const c = compareValues(stored, wanted); return c !== null && c > 0; }
    case 'gte': { const c = compareValues(stored, wanted); return c !== null && c >= 0; }
    case 'lt': { const c = compareValues(stored, wanted); return c !== null && c < 0; }
    case 'lte': { const c = compareValues(stored, wanted); return c !== null && c <= 0; }
    case 'like':
      return stored !== null && stored !== undefined && String(stored).toLowerCase().includes(String(wanted).toLowerCase());
    case 'pattern':
      return stored !== null && stored !== undefined && likePattern(String(wanted)).test(String(stored));
    default:
      return false;
  }
}

const NEGATED: Partial<Record<FilterOp, FilterOp>> = { neq: 'eq', notIn: 'in', notLike: 'like', notPattern: 'pattern' };

function matchCond(cond: FilterCond, get: (field: string) => unknown): boolean {
  const stored = get(cond.field);
  const positive = NEGATED[cond.op];
  const op = positive ?? cond.op;
  // Multi-valued fields (phones, multiple UF, contactIds) match when any value does.
  const hit = Array.isArray(stored)
    ? (stored.length === 0 ? matchOne(op, null, cond.value) : stored.some((s) => matchOne(op, s, cond.value)))
    : matchOne(op, stored, cond.value);
  return positive ? !hit : hit;
}

export function matches(group: FilterGroup, get: (field: string) => unknown): boolean {
  if (group.items.length === 0) return true;
  if (group.logic === 'OR') return group.items.some((it) => ('op' in it ? matchCond(it, get) : matches(it, get)));
  return group.items.every((it) => ('op' in it ? matchCond(it, get) : matches(it, get)));
}

export function parseOrder(order: unknown, resolve: (name: string) => string | undefined): Array<[string, SortDir]> {
  if (!isRecord(order)) return [];
  const result: Array<[string, SortDir]> = [];
  for (const [name, dir] of Object.entries(order)) {
    const field = resolve(name);
    if (field === undefined) continue;
    result.push([field, String(dir).toUpperCase() === 'DESC' ? 'DESC' : 'ASC']);
  }
  return result;
}

export interface ListSource<R> {
  /** Ids in ascending order. */
  sortedIds(): readonly number[];
  row(id: number): R | undefined;
  value(row: R, field: string): unknown;
}

export interface ListPage<R> {
  rows: R[];
  /** Null when `start=-1` disabled the count (methods then answer `total: 0`). */
  total: number | null;
  next: number | null;
  /** Rows examined; the cost model charges for them, tests assert the fast path with it. */
  scanned: number;
}

function lowerBound(ids: readonly number[], value: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Range of ids implied by top-level AND conditions on `idField`, used to skip rows. */
function idRange(group: FilterGroup, idField: string): { from: number; to: number } {
  let from = -Infinity;
  let to = Infinity;
  if (group.logic !== 'AND') return { from, to };
  for (const it of group.items) {
    if (!('op' in it) || it.field !== idField) continue;
    const v = Number(it.value);
    if (!Number.isFinite(v)) continue;
    if (it.op === 'gt') from = Math.max(from, Math.floor(v) + 1);
    if (it.op === 'gte') from = Math.max(from, Math.ceil(v));
    if (it.op === 'lt') to = Math.min(to, Math.ceil(v) - 1);
    if (it.op === 'lte') to = Math.min(to, Math.floor(v));
  }
  return { from, to };
}

/**
 * Runs a list query. `start === -1` means "no COUNT": no `total`, no `next`, and the scan stops
 * as soon as a page is full — which, with `order ID ASC` and `>ID`, is what makes the fast
 * export fast on a 100,000-row table.
 */
export function runList<R>(
  source: ListSource<R>,
  filter: FilterGroup,
  order: Array<[string, SortDir]>,
  start: number,
  idField: string,
): ListPage<R> {
  const ids = source.sortedIds();
  const countTotal = start !== -1;
  const offset = countTotal ? Math.max(0, start) : 0;
  const get = (row: R) => (field: string) => source.value(row, field);
  const byIdOnly = order.length === 0 || (order.length === 1 && order[0]?.[0] === idField);
  let scanned = 0;

  if (byIdOnly) {
    const desc = order[0]?.[1] === 'DESC';
    const { from, to } = idRange(filter, idField);
    const first = Number.isFinite(from) ? lowerBound(ids, from) : 0;
    const last = Number.isFinite(to) ? lowerBound(ids, to + 1) - 1 : ids.length - 1;
    const rows: R[] = [];
    let matched = 0;
    for (let k = 0; k <= last - first; k++) {
      const id = ids[desc ? last - k : first + k];
      if (id === undefined) continue;
      const row = source.row(id);
      if (!row) continue;
      scanned++;
      if (!matches(filter, get(row))) continue;
      if (matched >= offset && rows.length < PAGE_SIZE) rows.push(row);
      matched++;
      if (!countTotal && rows.length >= PAGE_SIZE) break;
    }
    return page(rows, countTotal ? matched : null, offset);
  }

  const all: R[] = [];
  for (const id of ids) {
    const row = source.row(id);
    if (!row) continue;
    scanned++;
    if (matches(filter, get(row))) all.push(row);
  }
  all.sort((a, b) => {
    for (const [field, dir] of order) {
      const va = source.value(a, field);
      const vb = source.value(b, field);
      // MySQL puts NULLs first in ascending order.
      const c = compareValues(va, vb) ?? (isEmpty(va) ? (isEmpty(vb) ? 0 : -1) : 1);
      if (c !== 0) return dir === 'ASC' ? c : -c;
    }
    return 0;
  });
  const result = page(all.slice(offset, offset + PAGE_SIZE), countTotal ? all.length : null, offset);
  result.scanned = scanned;
  return result;

  function page(rows: R[], total: number | null, from: number): ListPage<R> {
    const next = total !== null && from + PAGE_SIZE < total ? from + PAGE_SIZE : null;
    return { rows, total, next, scanned };
  }
}
