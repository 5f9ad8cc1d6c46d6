import Router from '@koa/router';
import type { AmocrmAdapter } from '../../crm/amocrm/index.js';
import type { DozvonState } from '../state.js';
import { mountDpRoute } from './dp.js';
import { mountOauthRoutes } from './oauth.js';
import { mountUninstallRoute } from './uninstall.js';
import { mountWidgetRoutes } from './widget/routes.js';

/**
 * Everything amoCRM / Kommo (and the widget inside them) calls, at the fixed routes of
 * ARCHITECTURE.md:
 *
 *   GET  /amocrm/oauth        the Redirect URI: install webhook and Reconnect popup (oauth.ts)
 *   GET  /amocrm/uninstall    the disable hook (uninstall.ts)
 *   POST /amocrm/dp           Digital Pipeline widget hook (dp.ts)
 *   /amocrm/widget/*          the widget's API, one-time JWT + CORS (widget/routes.ts)
 */
export function amocrmRouter(amo: AmocrmAdapter): Router<DozvonState> {
  const router = new Router<DozvonState>();
  mountOauthRoutes(router, amo);
  mountUninstallRoute(router, amo.ctx);
  mountDpRoute(router, amo.ctx);
  mountWidgetRoutes(router, amo.ctx);
  return router;
}
