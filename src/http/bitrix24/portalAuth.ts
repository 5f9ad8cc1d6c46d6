import { DomainError } from '../../core/errors.js';
import { safeEqual } from '../../core/crypto.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { findPortalByMember, type PortalRecord } from '../../crm/bitrix24/store/portals.js';
import { findTenant, type Tenant } from '../../store/repositories/tenants.js';

/**
 * Everything a portal POSTs to us (robot calls, events, app and placement pages) carries the app's
 * `application_token` for this installation (brief §1.6): compared in constant time with the one
 * stored at install. An unknown portal and a wrong token get the same 403, so neither tells an
 * outsider which portals exist.
 */
export interface VerifiedPortal {
  portal: PortalRecord;
  tenant: Tenant;
}

export const unknownPortal = () => new DomainError('forbidden', 'bitrix24.errors.unknown_portal');

export async function verifyApplicationToken(b24: B24Context, memberId: string, applicationToken: string): Promise<VerifiedPortal> {
  const portal = await findPortalByMember(b24.app.db, memberId);
  let stored: string;
  try {
    stored = portal?.applicationTokenEnc ? b24.sealer.open(portal.applicationTokenEnc) : '';
  } catch {
    stored = '';
  }
  // Compare even when nothing is stored, so both refusals cost the same.
  const ok = safeEqual(stored || '\u0000', applicationToken) && stored !== '';
  const tenant = ok && portal ? await findTenant(b24.app.db, portal.tenantId) : undefined;
  if (!ok || !portal || !tenant) throw unknownPortal();
  return { portal, tenant };
}
