import Router from '@koa/router';
import type { AppContext } from '../../../context.js';
import { VERSION } from '../../../version.js';
import { mountRoutes, openApiDocument, type AnyRoute } from '../../route.js';
import type { DozvonState } from '../../state.js';
import { authRoutes } from './authRoutes.js';
import { callRoutes } from './callRoutes.js';
import { campaignRoutes } from './campaignRoutes.js';
import { catalogRoutes } from './catalogRoutes.js';
import { consoleRoutes } from './consoleRoutes.js';
import { greetingRoutes } from './greetingRoutes.js';
import { scenarioRoutes } from './scenarioRoutes.js';
import { settingsRoutes } from './settingsRoutes.js';
import { templateRoutes } from './templateRoutes.js';
import { userRoutes } from './userRoutes.js';
import { voicePlatformRoutes } from './voicePlatformRoutes.js';

/** /api/v1: the console's JSON API and the Calls API, described by /api/v1/openapi.json. */
export function apiRoutes(extra: AnyRoute[] = []): AnyRoute[] {
  return [...authRoutes, ...userRoutes, ...templateRoutes, ...scenarioRoutes, ...catalogRoutes, ...greetingRoutes, ...callRoutes, ...campaignRoutes, ...settingsRoutes, ...consoleRoutes, ...voicePlatformRoutes, ...extra];
}

export function apiRouter(app: AppContext, routes: AnyRoute[]): Router<DozvonState> {
  const router = new Router<DozvonState>({ prefix: '/api/v1' });
  // Built at the first request: converting every route's schemas takes ~0.2 s a start need not wait for.
  let doc: Record<string, unknown> | undefined;
  router.get('/openapi.json', (ctx) => {
    doc ??= openApiDocument(routes, {
      title: 'Dozvon API',
      version: VERSION,
      description: 'Console API and Calls API of Dozvon. Errors are {error:{code,message,details}} in the language of Accept-Language (ru, en).',
    });
    ctx.body = doc;
  });
  mountRoutes(router, app, routes);
  return router;
}
