import Router from '@koa/router';
import type { AppContext } from '../../context.js';
import type { AmocrmAdapter } from '../../crm/amocrm/index.js';
import type { DozvonState } from '../state.js';
import { mountConsolePage } from './consolePage.js';
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
 *   GET  /amocrm/console      the web console in the widget's advanced settings page, opened by a one-time code (consolePage.ts)
 */
export function amocrmRouter(amo: AmocrmAdapter, app: AppContext): Router<DozvonState> {
  const router = new Router<DozvonState>();
  mountOauthRoutes(router, amo);
  mountUninstallRoute(router, amo.ctx);
  mountDpRoute(router, amo.ctx);
  mountWidgetRoutes(router, amo.ctx);
  mountConsolePage(router, amo.ctx, app);
  return router;
}
