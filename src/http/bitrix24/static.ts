import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Router from '@koa/router';
import { DomainError } from '../../core/errors.js';
import type { DozvonState } from '../state.js';

/**
 * GET /bitrix24/static/b24jssdk.js — b24jssdk's own browser bundle (UMD, global `B24Js`), served
 * from node_modules so frame pages work without a CDN: `B24Js.initializeB24Frame()` does the
 * postMessage handshake with the portal, `installFinish()` completes an install (brief §6).
 */
function sdkBundlePath(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@bitrix24/b24jssdk/package.json');
    const file = path.join(path.dirname(pkg), 'dist', 'umd', 'index.min.js');
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

export function mountStaticRoutes(router: Router<DozvonState>): void {
  let bundle: Buffer | undefined;
  router.get('/bitrix24/static/b24jssdk.js', async (ctx) => {
    if (!bundle) {
      const file = sdkBundlePath();
      if (!file) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
      bundle = await fs.promises.readFile(file);
    }
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = bundle;
  });
}
