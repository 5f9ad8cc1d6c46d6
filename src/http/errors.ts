import type { Context, Next } from 'koa';
import { DomainError, type ErrorCode, type FieldIssue } from '../core/errors.js';
import { t, type Locale } from '../i18n.js';
import type { Logger } from '../log.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { ERROR_PAGE_CSS, errorPage } from './errorPage.js';
import { ownPagePolicy } from './securityHeaders.js';
import type { DozvonState } from './state.js';

/**
 * One renderer for every error: `{error:{code, message, details}}`, the message in the caller's
 * language. Domain errors carry their code; anything unknown becomes a generic 500 logged with the
 * request id and never echoed (no stack traces, no SQL, no secrets in responses).
 */
export const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: 422,
  bad_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  setup_required: 409,
  setup_done: 409,
  rate_limited: 429,
  server_busy: 503,
  voice_platform_failed: 502,
  upstream_failed: 502,
  service_unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: { path: string; message: string; reason: string }[];
    requestId: string;
    [extra: string]: unknown;
  };
}

export function renderIssues(lng: Locale, issues: FieldIssue[]): ErrorBody['error']['details'] {
  return issues.map((i) => {
    const params: Record<string, unknown> = { ...(i.params ?? {}) };
    // Nested reasons (a scenario element's bad setting) are translated first, then embedded.
    if (typeof params.reasonKey === 'string') params.reason = t(lng, params.reasonKey, params);
    if (typeof params.entity === 'string') params.entity = t(lng, `entities.${params.entity}`);
    return { path: i.path, message: t(lng, i.key, params), reason: i.key };
  });
}

export function errorBody(lng: Locale, e: DomainError, requestId: string): ErrorBody {
  const params: Record<string, unknown> = { ...e.params };
  if (typeof params.entity === 'string') params.entity = t(lng, `entities.${params.entity}`);
  // Codes in parameters are shown as words in the caller's language.
  if (typeof params.reasonKey === 'string') params.reason = t(lng, params.reasonKey);
  if (typeof params.statusKey === 'string') params.status = t(lng, params.statusKey);
  if (typeof params.actionKey === 'string') params.action = t(lng, params.actionKey);
  return {
    error: { ...e.extra, code: e.code, message: t(lng, e.key, params), details: renderIssues(lng, e.issues), requestId },
  };
}

export function errorRenderer(log: Logger, o: { framedPrefixes?: string[] } = {}) {
  const framed = (path: string) => (o.framedPrefixes ?? []).some((p) => path.startsWith(p));
  return async (ctx: Context & { state: DozvonState }, next: Next): Promise<void> => {
    try {
      await next();
    } catch (err) {
      const lng = ctx.state.locale;
      const e = toDomainError(err);
      if (e.code === 'internal') log.error({ err, requestId: ctx.state.requestId, path: ctx.path }, 'unhandled error');
      // A database outage is waited out: clients (and platforms' webhook senders) retry on 503.
      if (e.code === 'service_unavailable') ctx.set('Retry-After', '5');
      ctx.status = STATUS_OF[e.code];
      const body = errorBody(lng, e, ctx.state.requestId);
      // A person's browser outside the API gets a page; programs (and every /api caller) get JSON.
      // Paths shown inside a CRM's frame render their own error pages (this one may not be framed).
      if (!ctx.path.startsWith('/api/') && !framed(ctx.path) && ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = errorPage(lng, ctx.status, body.error);
        ownPagePolicy(ctx, ERROR_PAGE_CSS);
      } else {
        ctx.body = body;
      }
      if (e.code === 'unauthorized' && ctx.path.startsWith('/api/')) ctx.set('WWW-Authenticate', 'Bearer');
      // Refusals that pass with time (rate limits, a busy server) say when to come back.
      const retryAfter = e.extra.retryAfterSec;
      if (typeof retryAfter === 'number' && retryAfter > 0) ctx.set('Retry-After', String(Math.ceil(retryAfter)));
    }
  };
}

function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (isDatabaseUnavailable(err)) return new DomainError('service_unavailable', 'errors.service_unavailable');
  const status = (err as { status?: number; statusCode?: number; type?: string }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  if (status === 413 || type === 'entity.too.large') return new DomainError('payload_too_large', 'errors.payload_too_large');
  if (type === 'entity.parse.failed') return new DomainError('bad_request', 'errors.malformed_body');
  if (status === 415) return new DomainError('unsupported_media_type', 'errors.unsupported_media_type');
  if (status === 400) return new DomainError('bad_request', 'errors.malformed_body');
  if (status === 404) return new DomainError('not_found', 'errors.route_not_found');
  if (status === 405 || status === 501) return new DomainError('method_not_allowed', 'errors.method_unsupported');
  return new DomainError('internal', 'errors.internal');
}
