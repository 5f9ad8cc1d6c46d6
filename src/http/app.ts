import crypto from 'node:crypto';
import type Router from '@koa/router';
import Koa from 'koa';
import { DomainError } from '../core/errors.js';
import type { AppContext } from '../context.js';
import { isLocale, pickLocale } from '../i18n.js';
import { authenticate, type ApiKeyResolver } from './authenticate.js';
import { errorRenderer } from './errors.js';
import type { DozvonState } from './state.js';

/**
 * The Koa application: request id and language first, one error renderer, then one router per
 * audience (console / Calls API, CRMs, voice platforms, recordings, status). Authentication runs
 * for /api only; CRM and platform routes verify their own signatures and tokens.
 */
export function buildHttpApp(
  app: AppContext,
  routers: Router<DozvonState>[],
  o: { resolveApiKey?: ApiKeyResolver; fallback?: Koa.Middleware<DozvonState> } = {},
): Koa<DozvonState> {
  const koa = new Koa<DozvonState>({ proxy: true });
  koa.silent = true;
  const auth = authenticate(app, o.resolveApiKey);

  koa.use(async (ctx, next) => {
    ctx.state.requestId = crypto.randomUUID();
    const lang = ctx.query.lang;
    ctx.state.locale = isLocale(lang) ? lang : pickLocale(ctx.get('accept-language'), app.config.defaultLocale);
    ctx.set('X-Request-Id', ctx.state.requestId);
    ctx.set('X-Content-Type-Options', 'nosniff');
    const started = performance.now();
    await next();
    app.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'http');
  });
  koa.use(errorRenderer(app.log));
  koa.use(async (ctx, next) => (ctx.path.startsWith('/api/') ? auth(ctx, next) : next()));
  for (const r of routers) {
    koa.use(r.routes());
    koa.use(r.allowedMethods({ throw: true }));
  }
  // What no router answered: the web console's own paths (its page), else a JSON 404.
  if (o.fallback) koa.use(o.fallback);
  koa.use(async (ctx) => {
    if (ctx.body === undefined && ctx.status === 404) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
  });
  return koa;
}
