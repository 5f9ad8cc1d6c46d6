import type Router from '@koa/router';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { adoptApplicationToken, matchesApplicationToken } from '../../crm/bitrix24/install/applicationToken.js';
import { installPortal } from '../../crm/bitrix24/install/installPortal.js';
import { uninstallPortal } from '../../crm/bitrix24/install/uninstallPortal.js';
import { findPortalByMember, markPortalInstalled } from '../../crm/bitrix24/store/portals.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import { eventSchema } from './events.schema.js';
import { unknownPortal, verifyApplicationToken } from './portalAuth.js';

/**
 * POST /bitrix24/events — ONAPPINSTALL and ONAPPUNINSTALL (C1).
 *
 * - ONAPPINSTALL after `installFinish()`: the portal we met on the install page is now fully
 *   installed, and the event brings the installation's application token (the install page's
 *   frame form has none; crm/bitrix24/install/applicationToken.ts), kept once the portal confirms
 *   the event's access token is an administrator's. For a portal we never met (a Marketplace
 *   "installation event handler" install), the event's own token pair goes through the same
 *   verified install as the install page.
 * - ONAPPUNINSTALL: verified by the application token before anything is erased (brief §1.6);
 *   campaigns stop, tokens are erased, data kept or erased per `data[CLEAN]`.
 * Other events are acknowledged and ignored.
 */
export function mountEventsRoute(router: Router<DozvonState>, b24: B24Context): void {
  router.post('/bitrix24/events', async (ctx) => {
    const e = parseInput(eventSchema, await readForm(ctx));
    const { app } = b24;
    if (e.event === 'ONAPPINSTALL') {
      const known = await findPortalByMember(app.db, e.auth.member_id);
      if (!known?.accessTokenEnc) {
        // A portal we never met (Marketplace "installation event handler") or whose app was
        // removed: the event's own token pair goes through the verified install.
        if (!e.auth.refresh_token || !e.auth.server_endpoint) throw unknownPortal();
        await installPortal(b24, {
          memberId: e.auth.member_id,
          refreshToken: e.auth.refresh_token,
          serverEndpoint: e.auth.server_endpoint,
          applicationToken: e.auth.application_token,
          lang: typeof e.data.LANGUAGE_ID === 'string' ? e.data.LANGUAGE_ID : undefined,
        });
      } else if (!matchesApplicationToken(b24, known, e.auth.application_token)) {
        // The install page has no application token to give: this event brings it.
        const adopted = await adoptApplicationToken(b24, known, { accessToken: e.auth.access_token, applicationToken: e.auth.application_token });
        if (!adopted) throw unknownPortal();
      }
      const { portal } = await verifyApplicationToken(b24, e.auth.member_id, e.auth.application_token);
      await markPortalInstalled(app.db, portal.tenantId, app.clock.now());
    } else {
      const { portal } = await verifyApplicationToken(b24, e.auth.member_id, e.auth.application_token);
      if (e.event === 'ONAPPUNINSTALL') await uninstallPortal(app, portal.tenantId, String(e.data.CLEAN ?? '0') === '1');
    }
    ctx.status = 200;
    ctx.body = { status: 'ok' };
  });
}
