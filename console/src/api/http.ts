import { currentLang } from '../i18n';

/**
 * The console's one way to the API (`/api/v1`): the session token as `Authorization: Bearer`, the
 * user's language as `Accept-Language` (the server answers errors in it), JSON in and out. A refusal
 * becomes an {@link ApiError} carrying the server's words and the field paths they belong to, so a
 * form shows each message next to its field.
 */
export interface ErrorDetail {
  path: string;
  message: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(value: string | null): void {
  token = value;
}
export function getToken(): string | null {
  return token;
}
/** Called when a signed-in request is refused with 401 (the session ended or expired). */
export function onSessionEnded(fn: () => void): void {
  onUnauthorized = fn;
}

export const API_BASE = '/api/v1';

type Query = Record<string, string | number | boolean | null | undefined>;

function url(path: string, query?: Query): string {
  const u = new URL(API_BASE + path, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  return u.pathname + u.search;
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'accept-language': currentLang.value, ...extra };
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

async function failure(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string } } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not our JSON (a proxy's page): the status says enough
  }
  const e = body.error;
  return new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.details ?? [], e?.requestId ?? null);
}

export async function request<T>(method: string, path: string, o: { query?: Query; body?: unknown; form?: FormData; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url(path, o.query), {
      method,
      headers: headers(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      body: o.form ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
      signal: o.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 401 && token) onUnauthorized?.();
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown, query?: Query) => request<T>('PUT', path, { body, query }),
  patch: <T>(path: string, body: unknown, query?: Query) => request<T>('PATCH', path, { body, query }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, { form }),
};

/** Downloads a file the API serves (export, clients-file template) with the session, under its own name. */
export async function download(path: string, query?: Query): Promise<void> {
  const res = await fetch(url(path, query), { headers: headers() });
  if (!res.ok) throw await failure(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** The messages of an API error by field path (`settings.window.from` → "Write the time as HH:MM…"). */
export function fieldErrors(e: unknown, strip = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiError)) return out;
  for (const d of e.details) {
    const path = strip && d.path.startsWith(strip) ? d.path.slice(strip.length) : d.path;
    out[path] ??= d.message;
  }
  return out;
}
