import type Router from '@koa/router';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { adoptApplicationToken, matchesApplicationToken } from '../../crm/bitrix24/install/applicationToken.js';
import { installPortal } from '../../crm/bitrix24/install/installPortal.js';
import { requestUninstall } from '../../crm/bitrix24/install/confirmUninstall.js';
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
 * - ONAPPUNINSTALL: verified by the application token (brief §1.6), then confirmed with the portal
 *   itself before anything changes — the token alone never switches a portal off
 *   (crm/bitrix24/install/confirmUninstall.ts). Confirmed: the portal is disabled at once and, with
 *   `data[CLEAN]=1`, its data erased after a 30-day recovery window (disablePortal.ts).
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
      // Queued, not done here: the portal must first confirm the app is gone (confirmUninstall.ts).
      if (e.event === 'ONAPPUNINSTALL') await requestUninstall(b24, portal, String(e.data.CLEAN ?? '0') === '1');
    }
    ctx.status = 200;
    ctx.body = { status: 'ok' };
  });
}
