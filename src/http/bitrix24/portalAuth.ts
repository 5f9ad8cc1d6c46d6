import { DomainError } from '../../core/errors.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { matchesApplicationToken } from '../../crm/bitrix24/install/applicationToken.js';
import { findPortalByMember, type PortalRecord } from '../../crm/bitrix24/store/portals.js';
import { findTenant, type Tenant } from '../../store/repositories/tenants.js';

/**
 * Everything a portal POSTs to us server-to-server (robot calls, events) carries the app's
 * `application_token` for this installation (brief §1.6; which payloads do, and why frames do not:
 * crm/bitrix24/install/applicationToken.ts): compared in constant time with the one stored from
 * ONAPPINSTALL. An unknown portal and a wrong token get the same 403, so neither tells an outsider
 * which portals exist. Frame pages are verified differently (./frameAuth.ts).
 */
export interface VerifiedPortal {
  portal: PortalRecord;
  tenant: Tenant;
}

export const unknownPortal = () => new DomainError('forbidden', 'bitrix24.errors.unknown_portal');

export async function verifyApplicationToken(b24: B24Context, memberId: string, applicationToken: string): Promise<VerifiedPortal> {
  const portal = await findPortalByMember(b24.app.db, memberId);
  const ok = matchesApplicationToken(b24, portal, applicationToken);
  const tenant = ok && portal ? await findTenant(b24.app.db, portal.tenantId) : undefined;
  if (!ok || !portal || !tenant) throw unknownPortal();
  return { portal, tenant };
}
