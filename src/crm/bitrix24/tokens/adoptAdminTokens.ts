import type { B24Context } from '../b24Context.js';
import { isB24Error } from '../rest/b24Error.js';
import { findPortal, swapTokens } from '../store/portals.js';
import { clearNeedsReauth } from './reauth.js';

/**
 * Re-authorisation: a portal that needs it gets its token pair back when an administrator opens
 * the app page — the page POST carries that administrator's fresh tokens. The portal itself must
 * confirm the user is an administrator (`profile`), since robots and placements need one.
 */
export async function adoptAdminTokens(
  b24: B24Context,
  tenantId: string,
  p: { accessToken: string; refreshToken: string; expiresInSec: number },
): Promise<boolean> {
  const portal = await findPortal(b24.app.db, tenantId);
  if (!portal) return false;
  let profile;
  try {
    profile = await b24.gateway.callAsUser(tenantId, portal.clientEndpoint, p.accessToken, 'profile');
  } catch (e) {
    if (isB24Error(e)) return false;
    throw e;
  }
  const me = (profile.result ?? {}) as { ID?: unknown; ADMIN?: unknown };
  if (me.ADMIN !== true && me.ADMIN !== 'Y') return false;
  const sealed = b24.sealer.sealPair({
    accessToken: p.accessToken,
    refreshToken: p.refreshToken,
    expiresAt: new Date(b24.app.clock.now().getTime() + p.expiresInSec * 1000),
    lifetimeSec: p.expiresInSec,
    userId: Number(me.ID) || (portal.tokenUserId ?? 1),
    scope: portal.scope,
  });
  if (!(await swapTokens(b24.app.db, tenantId, portal.tokenVersion, sealed))) return false;
  await clearNeedsReauth(b24.app, tenantId);
  return true;
}
