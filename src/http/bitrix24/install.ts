import type Router from '@koa/router';
import type { Context } from 'koa';
import { isDomainError } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { installPortal, localeOfPortal } from '../../crm/bitrix24/install/installPortal.js';
import { isB24Error } from '../../crm/bitrix24/rest/b24Error.js';
import { DEFAULT_SERVER_ENDPOINT } from '../../crm/bitrix24/tokens/oauthServer.js';
import { t, type Locale } from '../../i18n.js';
import { readForm } from '../body.js';
import { errorBody, STATUS_OF } from '../errors.js';
import type { DozvonState } from '../state.js';
import { pageBodySchema, pageQuerySchema } from './pageForm.schema.js';
import { errorPage, installPage } from './pages/installPage.js';

/**
 * POST /bitrix24/install — Bitrix24's "initial installation path" (C1). The admin's browser posts
 * the install form into the portal's frame; the server verifies it, stores the portal and declares
 * the app (src/crm/bitrix24/install/), and answers with the page that calls `installFinish()`.
 * Failures are shown as a page in the frame (with the right status), never half-finished.
 */
export function mountInstallRoute(router: Router<DozvonState>, b24: B24Context): void {
  router.post('/bitrix24/install', async (ctx) => {
    const query = parseInput(pageQuerySchema, ctx.query, 'query');
    const lng = localeOfPortal(query.LANG);
    const form = parseInput(pageBodySchema, await readForm(ctx));
    try {
      const outcome = await installPortal(b24, {
        memberId: form.member_id,
        refreshToken: form.REFRESH_ID,
        serverEndpoint: form.SERVER_ENDPOINT ?? DEFAULT_SERVER_ENDPOINT,
        // The frame form has no application token: it arrives with ONAPPINSTALL (../events.ts).
        applicationToken: undefined,
        lang: query.LANG,
      });
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = installPage(outcome.locale, outcome);
    } catch (e) {
      if (!renderFailure(ctx, lng, e)) throw e;
    }
  });
}

/** Shows a failed install as a page; false for errors the generic renderer should handle. */
function renderFailure(ctx: Context & { state: DozvonState }, lng: Locale, e: unknown): boolean {
  const title = t(lng, 'bitrix24.install.failed_title');
  if (isDomainError(e)) {
    ctx.status = STATUS_OF[e.code];
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = errorPage(lng, title, errorBody(lng, e, ctx.state.requestId).error.message);
    return true;
  }
  if (isB24Error(e)) {
    ctx.status = 502;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = errorPage(lng, title, t(lng, 'bitrix24.install.portal_error', { code: e.code || e.description }));
    return true;
  }
  return false;
}
