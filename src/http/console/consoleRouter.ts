import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { AppContext } from '../../context.js';
import { DomainError } from '../../core/errors.js';
import { t } from '../../i18n.js';
import { VERSION } from '../../version.js';
import { esc } from '../html.js';
import type { DozvonState } from '../state.js';
import { isConsolePath } from './bootConfig.js';
import { consoleFiles, logNotBuilt } from './consoleFiles.js';
import { consolePolicy } from './consolePages.js';

/**
 * The web console at `/`: its hashed files under `/assets/`, and its page for `/` and the GETs of
 * its screens' paths that no router answered (`/campaigns/…`, `/settings/…`: CONSOLE_SECTIONS; the
 * console's own router then shows the screen, or its "not found" page for an unknown subpath).
 * Every other unknown path is the server's 404 (JSON, or an error page for browsers).
 */

export function consoleRouter(): Router<DozvonState> {
  const router = new Router<DozvonState>();
  router.get('/assets/:file', async (ctx) => {
    const asset = await consoleFiles().asset(String(ctx.params.file ?? ''));
    if (!asset) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('ETag', asset.etag);
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  });
  router.get('/favicon.svg', async (ctx) => {
    const asset = await consoleFiles().asset('favicon.svg', '');
    if (!asset) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = asset.type;
    ctx.body = asset.body;
  });
  return router;
}

/** Placed after every router (it sees only what none answered): the console's own paths get its page. */
export function consoleFallback(app: AppContext) {
  return async (ctx: Context & { state: DozvonState }, next: Next): Promise<void> => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !isConsolePath(ctx.path)) return next();
    const lng = ctx.state.locale;
    consolePolicy(ctx, { publicUrl: app.publicUrl() });
    const html = consoleFiles().page({ mode: 'standalone', locale: lng, version: VERSION });
    if (html === undefined) {
      // Not built (e.g. installed with --ignore-scripts) or being rebuilt: say how to build it, in words.
      logNotBuilt(app.log, 'the web console', consoleFiles().dir);
      ctx.status = 503;
      ctx.set('Retry-After', '30');
      ctx.body = `<!doctype html><html lang="${lng}"><head><meta charset="utf-8"><title>Dozvon</title></head><body style="font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem">
<h1>Dozvon</h1><p>${esc(t(lng, 'status.console_not_built'))}</p><p><code>npm run build:ui</code></p><p><a href="/status">/status</a></p></body></html>`;
      return;
    }
    ctx.status = 200;
    ctx.body = html;
  };
}
