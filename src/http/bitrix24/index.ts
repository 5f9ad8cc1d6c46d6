import Router from '@koa/router';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import type { DozvonState } from '../state.js';
import { mountApiRoutes } from './api/index.js';
import { mountAppRoute } from './app.js';
import { mountEventsRoute } from './events.js';
import { FrameAuth } from './frameAuth.js';
import { mountInstallRoute } from './install.js';
import { mountPlacementRoute } from './placement.js';
import { mountRobotRoute } from './robot.js';
import { mountStaticRoutes } from './static.js';

/**
 * Everything Bitrix24 (and our pages inside it) calls, at the fixed routes of ARCHITECTURE.md:
 *
 *   POST /bitrix24/install            install page (install.ts)
 *   POST /bitrix24/app                app page: the web console, signed in by the portal (app.ts)
 *   POST /bitrix24/events             ONAPPINSTALL / ONAPPUNINSTALL (events.ts)
 *   POST /bitrix24/robot              every robot's HANDLER (robot.ts)
 *   POST /bitrix24/placement/:name    deal/lead tab, list menu (placement.ts)
 *   /bitrix24/api/*                   JSON API of the placement pages (api/index.ts)
 *   GET  /bitrix24/static/b24jssdk.js B24Frame for the pages (static.ts)
 *   GET  /bitrix24/static/:file       the pages' bundled code, widgets/bitrix24 (static.ts)
 */
export function bitrix24Router(b24: B24Context): Router<DozvonState> {
  const router = new Router<DozvonState>();
  // One per router: pages and the API share its minute-long cache of verified frame tokens.
  const frameAuth = new FrameAuth(b24);
  mountInstallRoute(router, b24);
  mountAppRoute(router, b24, frameAuth);
  mountEventsRoute(router, b24);
  mountRobotRoute(router, b24);
  mountPlacementRoute(router, b24, frameAuth);
  mountApiRoutes(router, b24, frameAuth);
  mountStaticRoutes(router);
  return router;
}
