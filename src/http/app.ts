import crypto from 'node:crypto';
import type Router from '@koa/router';
import Koa from 'koa';
import { DomainError, validationFailed } from '../core/errors.js';
import { assertNoNul } from '../core/validation.js';
import type { AppContext } from '../context.js';
import { isLocale, pickLocale } from '../i18n.js';
import { authenticate, type ApiKeyResolver } from './authenticate.js';
import { errorRenderer } from './errors.js';
import { securityHeaders } from './securityHeaders.js';
import type { DozvonState } from './state.js';
import { AWAITED, withPriority } from '../store/dbPriority.js';

/**
 * The Koa application: request id and language first, the security headers, one error renderer,
 * then one router per audience (console / Calls API, CRMs, voice platforms, recordings, status).
 * Authentication runs for /api only; CRM and platform routes verify their own signatures and tokens.
 * A path no router knows is a 404; a known path with another method is a 405 naming the allowed ones.
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

export interface HttpAppOptions {
  resolveApiKey?: ApiKeyResolver;
  /** Path prefixes whose HTML pages are framed by a CRM and set their own CSP (see securityHeaders.ts). */
  framedPrefixes?: string[];
  /** Answers what no router did (the web console's own paths get its page); else 404 / 405 below. */
  fallback?: Koa.Middleware<DozvonState>;
  /** Counts the requests being handled (tests, graceful shutdown). */
  inFlight?: RequestsInFlight;
}

export function buildHttpApp(app: AppContext, routers: Router<DozvonState>[], o: HttpAppOptions = {}): Koa<DozvonState> {
  // X-Forwarded-* are believed only from the configured number of proxies (TRUST_PROXY): from
  // anyone else they would let a client choose its own address and dodge per-address limits.
  const koa = new Koa<DozvonState>({ proxy: app.config.trustProxy > 0, maxIpsCount: app.config.trustProxy });
  koa.silent = true;
  const auth = authenticate(app, o.resolveApiKey);
  const inFlight = o.inFlight;
  let warnedProxy = false;

  koa.use(async (ctx, next) => {
    inFlight?.start();
    try {
      // Someone waits for every request: its statements go before background work (PGlite).
      await withPriority(AWAITED, next);
    } finally {
      inFlight?.end();
    }
  });
  koa.use(async (ctx, next) => {
    ctx.state.requestId = crypto.randomUUID();
    const lang = ctx.query.lang;
    ctx.state.locale = isLocale(lang) ? lang : pickLocale(ctx.get('accept-language'), app.config.defaultLocale);
    ctx.set('X-Request-Id', ctx.state.requestId);
    if (!warnedProxy && !koa.proxy && ctx.get('x-forwarded-for')) {
      // Behind a proxy without TRUST_PROXY every client looks like the proxy: one sign-in limit for all.
      warnedProxy = true;
      app.log.warn('requests arrive through a proxy (X-Forwarded-For) but TRUST_PROXY is 0: every client counts as the proxy\'s address; set TRUST_PROXY=1 if the proxy is yours');
    }
    const started = performance.now();
    await next();
    app.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'http');
  });
  koa.use(securityHeaders({ framedPrefixes: o.framedPrefixes ?? [] }));
  koa.use(errorRenderer(app.log, { framedPrefixes: o.framedPrefixes ?? [] }));
  koa.use(async (ctx, next) => {
    // NUL cannot be stored (PostgreSQL text); refused here for every route, with where it was.
    if (/%00/i.test(ctx.path)) throw validationFailed([{ path: 'path', key: 'validation.nul_character' }]);
    assertNoNul(ctx.query, 'query');
    await next();
  });
  koa.use(async (ctx, next) => (ctx.path.startsWith('/api/') ? auth(ctx, next) : next()));
  for (const r of routers) koa.use(r.routes());
  if (o.fallback) koa.use(o.fallback);
  koa.use(async (ctx) => {
    if (ctx.body !== undefined || ctx.status !== 404) return;
    const allowed = allowedMethods(routers, ctx.path);
    if (allowed.length === 0) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
    ctx.set('Allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    throw new DomainError('method_not_allowed', 'errors.method_not_allowed', { method: ctx.method, allowed: allowed.join(', ') });
  });
  return koa;
}

/** The methods some router answers on this path (HEAD with GET, OPTIONS whenever any). */
function allowedMethods(routers: Router<DozvonState>[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routers) for (const layer of r.match(path, 'GET').path) for (const m of layer.methods) methods.add(m);
  if (methods.size > 0) methods.add('OPTIONS');
  return [...methods].sort();
}
