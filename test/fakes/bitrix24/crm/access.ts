import type { CrmEntityKind, CrmAccessLevel, PortalUser } from '../types.js';
import type { ListSource } from './listQuery.js';
import type { CrmRecord } from './store.js';

/**
 * Who may see which CRM item. Bitrix24 checks the calling user's CRM role on every method, also
 * for application tokens (a frame's AUTH_ID is the user's own token): `crm.deal.get` of an item the
 * user may not read answers HTTP 400 `{"error":"","error_description":"Access denied"}`
 * (RD:api-reference/crm/deals/crm-deal-get.md, "Possible Error Codes"), and list methods simply
 * leave such items out.
 *
 * Modelled levels (a role's "read" permission per entity): `all`, `own` (items whose
 * ASSIGNED_BY_ID is the user; Bitrix24's department levels are not modelled) and `none`.
 * Administrators read everything; users without a setting read everything (the emulator's old
 * behaviour).
 */
export function accessLevel(user: PortalUser, kind: CrmEntityKind): CrmAccessLevel {
  if (user.admin) return 'all';
  return user.crmAccess?.[kind] ?? 'all';
}

export function canRead(user: PortalUser, rec: CrmRecord): boolean {
  const level = accessLevel(user, rec.kind);
  if (level === 'all') return true;
  if (level === 'none') return false;
  return String(rec.fields['ASSIGNED_BY_ID'] ?? '') === String(user.id);
}

/** A list source that only yields the items `user` may read (what list methods page over). */
export function readableBy<R extends CrmRecord>(source: ListSource<R>, user: PortalUser, kind: CrmEntityKind): ListSource<R> {
  if (accessLevel(user, kind) === 'all') return source;
  return {
    sortedIds: () => source.sortedIds(),
    row: (id) => {
      const row = source.row(id);
      return row && canRead(user, row) ? row : undefined;
    },
    value: (row, field) => source.value(row, field),
  };
}
