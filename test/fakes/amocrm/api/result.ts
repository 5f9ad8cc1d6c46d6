/** What an API handler answers: data (hal+json), an empty list (204) or a problem (problem+json). */
export type ApiResult =
  | { kind: 'data'; status: number; body: unknown; items: number }
  | { kind: 'empty' }
  | { kind: 'problem'; status: number; title: string; detail: string; extra?: Record<string, unknown> };

export const data = (body: unknown, items = 0, status = 200): ApiResult => ({ kind: 'data', status, body, items });
export const empty = (): ApiResult => ({ kind: 'empty' });
export const problem = (status: number, title: string, detail: string, extra?: Record<string, unknown>): ApiResult => ({ kind: 'problem', status, title, detail, ...(extra ? { extra } : {}) });

export interface ValidationError {
  request_id: string;
  errors: { code: string; path: string; detail: string }[];
}

/** 400 "Request validation failed" with errors per item (brief §3). */
export const invalid = (errors: ValidationError[]): ApiResult => problem(400, 'Bad Request', 'Request validation failed', { 'validation-errors': errors });

/** Query values as `qs` parses them: a string, a list, or a nested object. */
export type Query = Record<string, unknown>;

export function ints(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v];
  return list.map((x) => Number(x)).filter((n) => Number.isInteger(n));
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `limit` as amoCRM reads it: default 50, at most 250 — anything larger silently becomes 50 (gotcha 6). */
export function limitOf(q: Query): number {
  const n = Number(q.limit ?? 50);
  if (!Number.isInteger(n) || n < 1) return 50;
  return n > 250 ? 50 : n;
}

export function pageOf(q: Query): number {
  const n = Number(q.page ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** A page of a list in amoCRM's shape, with `_links.next` while more remain; 204 when empty. */
export function pageOfList<T>(all: T[], q: Query, baseUrl: string, path: string, key: string, render: (x: T) => unknown): ApiResult {
  const limit = limitOf(q);
  const page = pageOf(q);
  const slice = all.slice((page - 1) * limit, page * limit);
  if (slice.length === 0) return empty();
  const links: Record<string, { href: string }> = { self: { href: withPage(baseUrl, path, q, page) } };
  if (page * limit < all.length) links.next = { href: withPage(baseUrl, path, q, page + 1) };
  return data({ _page: page, _links: links, _embedded: { [key]: slice.map(render) } }, slice.length);
}

function withPage(baseUrl: string, path: string, q: Query, page: number): string {
  const flat: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) v.forEach((x) => walk(`${prefix}[]`, x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(`${prefix}[${k}]`, x);
    else flat.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(v))}`);
  };
  for (const [k, v] of Object.entries({ ...q, page })) walk(k, v);
  return `${baseUrl}${path}?${flat.join('&')}`;
}
