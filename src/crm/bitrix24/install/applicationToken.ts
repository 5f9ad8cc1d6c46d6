import { safeEqual } from '../../../core/crypto.js';
import type { B24Context } from '../b24Context.js';
import { isB24Error } from '../rest/b24Error.js';
import { setApplicationToken, type PortalRecord } from '../store/portals.js';

/**
 * The application token of an installation (brief §1.6): what authenticates every server-to-server
 * post of the portal — events, robot calls — and the only proof of origin ONAPPUNINSTALL has.
 *
 * Which payloads carry it (checked in the docs, repo bitrix24/b24restdocs):
 * - ONAPPINSTALL: `auth[application_token]`, together with the installing user's access and refresh
 *   tokens (RD:api-reference/events/safe-event-handlers.md "Where application_token Is Passed";
 *   RD:api-reference/common/events/on-app-install.md);
 * - every other event and every robot call: `auth[application_token]` (RD:api-reference/events/index.md,
 *   RD:api-reference/bizproc/bizproc-robot/bizproc-robot-add.md via the handler payload, brief §2.3);
 * - ONAPPUPDATE brings a new one for a new app version (safe-event-handlers.md);
 * - ONAPPUNINSTALL: only it, no tokens (RD:api-reference/common/events/on-app-uninstall.md).
 * Frames never get it: the install page, app page and placements receive AUTH_ID, AUTH_EXPIRES,
 * REFRESH_ID, member_id, status, PLACEMENT, PLACEMENT_OPTIONS (RD:settings/oauth/simple-way.md,
 * RD:api-reference/widgets/_includes/widget_data.md, bitrix core
 * `rest/install/components/bitrix/app.layout/templates/.default/template.php`), and B24Frame's
 * init data has none (b24jssdk `MessageInitData`). The docs call it a secret: "do not write it to
 * logs, pass it to client-side code" (safe-event-handlers.md).
 *
 * So it is learned from ONAPPINSTALL. That event is verified by its own access token: the portal
 * must say the token belongs to one of its administrators (`profile`). A forged ONAPPINSTALL would
 * need an administrator's token — and an administrator can remove the app anyway; a wipe still
 * needs the portal to confirm the uninstall (./confirmUninstall.ts).
 */
export function matchesApplicationToken(b24: B24Context, portal: PortalRecord | undefined, presented: string): boolean {
  let stored: string;
  try {
    stored = portal?.applicationTokenEnc ? b24.sealer.open(portal.applicationTokenEnc) : '';
  } catch {
    stored = ''; // sealed with another key: nothing matches
  }
  // Compare even when nothing is stored, so every refusal costs the same.
  return safeEqual(stored || '\u0000', presented) && stored !== '';
}

/** ONAPPINSTALL for a portal we know: keep its application token if an administrator's token came with it. */
export async function adoptApplicationToken(b24: B24Context, portal: PortalRecord, p: { accessToken: string | undefined; applicationToken: string }): Promise<boolean> {
  if (!p.accessToken) return false;
  let me: { ADMIN?: unknown };
  try {
    me = ((await b24.gateway.callAsUser(portal.tenantId, portal.clientEndpoint, p.accessToken, 'profile')).result ?? {}) as typeof me;
  } catch (e) {
    if (isB24Error(e) && e.kind !== 'transient' && e.kind !== 'limit') return false;
    throw e;
  }
  if (me.ADMIN !== true && me.ADMIN !== 'Y') return false;
  await setApplicationToken(b24.app.db, portal.tenantId, b24.sealer.seal(p.applicationToken));
  b24.app.log.info({ tenantId: portal.tenantId }, 'bitrix24: application token of the installation stored');
  return true;
}
