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
/**
 * Requests whose handling has not finished — including those whose client already went away, so
 * a handler left waiting forever shows up here (tests of broken requests, graceful shutdown).
 */
export class RequestsInFlight {
  private count = 0;
  private readonly waiters: (() => void)[] = [];
  get size(): number {
    return this.count;
  }
  start(): void {
    this.count++;
  }
  end(): void {
    this.count--;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves once no request is being handled. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

export function buildHttpApp(
  app: AppContext,
  routers: Router<DozvonState>[],
  o: { resolveApiKey?: ApiKeyResolver; inFlight?: RequestsInFlight } = {},
): Koa<DozvonState> {
  const koa = new Koa<DozvonState>({ proxy: true });
  koa.silent = true;
  const auth = authenticate(app, o.resolveApiKey);
  const inFlight = o.inFlight;

  koa.use(async (ctx, next) => {
    inFlight?.start();
    try {
      await next();
    } finally {
      inFlight?.end();
    }
  });
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
  koa.use(async (ctx) => {
    if (ctx.body === undefined && ctx.status === 404) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
  });
  return koa;
}
