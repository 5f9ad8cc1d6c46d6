import { canRead, readableBy } from '../crm/access.js';
import { hasMultifields, isMultiFieldType, isStandardField } from '../crm/fields.js';
import { parseFilter, parseOrder, runList } from '../crm/listQuery.js';
import type { CrmRecord } from '../crm/store.js';
import { asArray, asBool, asInt, asString, isRecord, param } from '../params.js';
import type { PortalCore } from '../portalCore.js';
import { crmError } from '../restError.js';
import type { CrmEntityKind } from '../types.js';
import { ok, type CallContext, type MethodDef, type MethodTable } from './registry.js';

/** Classic filter/order field names: upper case; unknown names are ignored like on a portal. */
export function classicResolver(portal: PortalCore, kind: CrmEntityKind): (name: string) => string | undefined {
  return (name) => {
    const upper = name.toUpperCase();
    if (upper === 'ID' || isStandardField(kind, upper)) return upper;
    if (isMultiFieldType(upper)) return hasMultifields(kind) ? upper : undefined;
    if (upper.startsWith('UF_') && portal.userFields.byName(kind, upper)) return upper;
    return undefined; // e.g. CONTACT_IDS on crm.deal.list (brief §3.1)
  };
}

function requireId(ctx: CallContext): number {
  const id = asInt(param(ctx.params, 'id'));
  if (id === undefined || id <= 0) throw crmError('ID is not defined or invalid');
  return id;
}

/**
 * The item, if it exists and the caller may see it: "Not found" first, then "Access denied" (both
 * with an empty code, RD:crm-deal-get.md). Writes are checked with the read level (see crm/access.ts).
 */
export function findOr404(ctx: CallContext, kind: CrmEntityKind, id: number): CrmRecord {
  const rec = ctx.portal.crm.get(kind, id);
  if (!rec) throw crmError('Not found');
  if (!canRead(ctx.auth.user, rec)) throw crmError('Access denied');
  return rec;
}

function requireFields(ctx: CallContext): Record<string, unknown> {
  const fields = param(ctx.params, 'fields');
  if (!isRecord(fields)) throw crmError("Parameter 'fields' must be array.");
  return fields;
}

const EVENT_NAME: Record<CrmEntityKind, string> = { deal: 'DEAL', lead: 'LEAD', contact: 'CONTACT', company: 'COMPANY' };

function entityMethods(kind: CrmEntityKind): MethodTable {
  const prefix = `crm.${kind}`;
  const list: MethodDef = {
    scopes: ['crm'],
    run(ctx) {
      const resolve = classicResolver(ctx.portal, kind);
      const filter = parseFilter(param(ctx.params, 'filter'), resolve);
      const order = parseOrder(param(ctx.params, 'order'), resolve);
      const start = asInt(param(ctx.params, 'start')) ?? 0;
      const select = (asArray(param(ctx.params, 'select')) ?? []).map((s) => String(s));
      const page = runList(readableBy(ctx.portal.crm.tables[kind], ctx.auth.user, kind), filter, order, start, 'ID');
      ctx.scanned += page.scanned;
      return {
        result: page.rows.map((r) => ctx.portal.crm.listView(r, select)),
        ...(page.next !== null ? { next: page.next } : {}),
        // start=-1 skips the COUNT: real answers then carry `total: 0` (RD:settings/performance/huge-data.md).
        total: page.total ?? 0,
      };
    },
  };
  return {
    [`${prefix}.list`]: list,
    [`${prefix}.get`]: {
      scopes: ['crm'],
      run: (ctx) => ok(ctx.portal.crm.getView(findOr404(ctx, kind, requireId(ctx)))),
    },
    [`${prefix}.add`]: {
      scopes: ['crm'],
      run(ctx) {
        const rec = ctx.portal.crm.create(kind, requireFields(ctx), { userId: ctx.auth.user.id, now: ctx.now });
        ctx.portal.emitEvent(`ONCRM${EVENT_NAME[kind]}ADD`, { FIELDS: { ID: rec.id } }, ctx.auth.user.id);
        return ok(rec.id);
      },
    },
    [`${prefix}.update`]: {
      scopes: ['crm'],
      run(ctx) {
        const rec = findOr404(ctx, kind, requireId(ctx));
        ctx.portal.crm.apply(rec, requireFields(ctx), { userId: ctx.auth.user.id, now: ctx.now }, false);
        ctx.portal.emitEvent(`ONCRM${EVENT_NAME[kind]}UPDATE`, { FIELDS: { ID: rec.id } }, ctx.auth.user.id);
        return ok(true);
      },
    },
    [`${prefix}.delete`]: {
      scopes: ['crm'],
      run(ctx) {
        const rec = findOr404(ctx, kind, requireId(ctx));
        ctx.portal.crm.tables[kind].delete(rec.id);
        ctx.portal.emitEvent(`ONCRM${EVENT_NAME[kind]}DELETE`, { FIELDS: { ID: rec.id } }, ctx.auth.user.id);
        return ok(true);
      },
    },
  };
}

function contactItems(rec: CrmRecord): Array<Record<string, unknown>> {
  return rec.contactIds.map((id, i) => ({ CONTACT_ID: id, SORT: (i + 1) * 10, ROLE_ID: 0, IS_PRIMARY: i === 0 ? 'Y' : 'N' }));
}

export const crmEntityMethods: MethodTable = {
  ...entityMethods('deal'),
  ...entityMethods('lead'),
  ...entityMethods('contact'),
  ...entityMethods('company'),

  /** RD:crm-deal-contact-items-get.md: `[{CONTACT_ID, SORT, ROLE_ID, IS_PRIMARY}]`. */
  'crm.deal.contact.items.get': {
    scopes: ['crm'],
    run: (ctx) => ok(contactItems(findOr404(ctx, 'deal', requireId(ctx)))),
  },

  'crm.deal.contact.items.set': {
    scopes: ['crm'],
    run(ctx) {
      const rec = findOr404(ctx, 'deal', requireId(ctx));
      const items = (asArray(param(ctx.params, 'items')) ?? []).filter(isRecord);
      const primary = items.find((it) => asBool(param(it, 'IS_PRIMARY')) === true);
      const ids = items.map((it) => asInt(param(it, 'CONTACT_ID'))).filter((v): v is number => v !== undefined);
      const primaryId = primary ? asInt(param(primary, 'CONTACT_ID')) : undefined;
      rec.contactIds = primaryId !== undefined ? [primaryId, ...ids.filter((id) => id !== primaryId)] : ids;
      rec.fields['CONTACT_ID'] = rec.contactIds[0] !== undefined ? String(rec.contactIds[0]) : null;
      return ok(true);
    },
  },

  'crm.deal.contact.add': {
    scopes: ['crm'],
    run(ctx) {
      const rec = findOr404(ctx, 'deal', requireId(ctx));
      const fields = requireFields(ctx);
      const contactId = asInt(param(fields, 'CONTACT_ID'));
      if (contactId === undefined || !ctx.portal.crm.get('contact', contactId)) throw crmError('Contact not found');
      if (!rec.contactIds.includes(contactId)) {
        if (asBool(param(fields, 'IS_PRIMARY')) === true) rec.contactIds.unshift(contactId);
        else rec.contactIds.push(contactId);
      }
      rec.fields['CONTACT_ID'] = String(rec.contactIds[0]);
      return ok(true);
    },
  },

  /** Lookup by phone/e-mail (brief §3.1): `{CONTACT:[ids], LEAD:[ids], COMPANY:[ids]}`, exact match on digits. */
  'crm.duplicate.findbycomm': {
    scopes: ['crm'],
    run(ctx) {
      const type = (asString(param(ctx.params, 'type')) ?? 'PHONE').toUpperCase();
      const entityType = asString(param(ctx.params, 'entity_type'))?.toUpperCase();
      const wanted = (asArray(param(ctx.params, 'values')) ?? []).map((v) => String(v));
      const norm = (v: string) => (type === 'PHONE' ? v.replace(/\D/g, '') : v.toLowerCase());
      const wantedSet = new Set(wanted.map(norm));
      const out: Record<string, number[]> = {};
      for (const kind of ['lead', 'contact', 'company'] as const) {
        const name = kind.toUpperCase();
        if (entityType && entityType !== name) continue;
        const ids: number[] = [];
        for (const rec of ctx.portal.crm.tables[kind].values()) {
          if (rec.multi.some((m) => m.typeId === type && wantedSet.has(norm(m.value)))) ids.push(rec.id);
        }
        if (ids.length > 0) out[name] = ids;
      }
      return ok(Object.keys(out).length === 0 ? [] : out);
    },
  },
};
