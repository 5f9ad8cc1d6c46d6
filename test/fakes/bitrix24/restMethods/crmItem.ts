import { canRead, readableBy } from '../crm/access.js';
import { fromCamel, kindByTypeId } from '../crm/fields.js';
import { parseFilter, parseOrder, runList } from '../crm/listQuery.js';
import { asArray, asBool, asInt, isRecord, param } from '../params.js';
import { RestError } from '../restError.js';
import type { CrmEntityKind } from '../types.js';
import { ok, type CallContext, type MethodTable } from './registry.js';

function entityKind(ctx: CallContext): CrmEntityKind {
  const typeId = asInt(param(ctx.params, 'entityTypeId'));
  const kind = typeId === undefined ? undefined : kindByTypeId(typeId);
  if (!kind) throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
  return kind;
}

/** crm.item field names (camelCase, or `UF_CRM_*`) → stored classic names. */
function itemResolver(ctx: CallContext, kind: CrmEntityKind): (name: string) => string | undefined {
  const ufNames = ctx.portal.userFields.list(kind).map((d) => d.fieldName);
  return (name) => {
    if (name === 'id' || name === 'ID') return 'ID';
    if (name === 'contactIds' && kind === 'deal') return 'CONTACT_IDS';
    return fromCamel(kind, name, ufNames);
  };
}

function itemFor(ctx: CallContext, kind: CrmEntityKind) {
  const id = asInt(param(ctx.params, 'id'));
  const rec = id === undefined ? undefined : ctx.portal.crm.get(kind, id);
  if (!rec) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  if (!canRead(ctx.auth.user, rec)) throw new RestError(403, 'ACCESS_DENIED', 'Access denied');
  return rec;
}

function original(ctx: CallContext): boolean {
  return asBool(param(ctx.params, 'useOriginalUfNames')) === true;
}

/** The universal API (brief §3.2): camelCase, numeric ids, `fm` only through `select:['*']`. */
export const crmItemMethods: MethodTable = {
  'crm.item.list': {
    scopes: ['crm'],
    run(ctx) {
      const kind = entityKind(ctx);
      const resolve = itemResolver(ctx, kind);
      const filter = parseFilter(param(ctx.params, 'filter'), resolve);
      const order = parseOrder(param(ctx.params, 'order'), resolve);
      const start = asInt(param(ctx.params, 'start')) ?? 0;
      const select = (asArray(param(ctx.params, 'select')) ?? ['*']).map((s) => String(s));
      const page = runList(readableBy(ctx.portal.crm.tables[kind], ctx.auth.user, kind), filter, order, start, 'ID');
      ctx.scanned += page.scanned;
      return {
        result: { items: page.rows.map((r) => ctx.portal.crm.itemView(r, select, original(ctx))) },
        ...(page.next !== null ? { next: page.next } : {}),
        // start=-1 skips the COUNT: real answers then carry `total: 0` (RD:settings/performance/huge-data.md).
        total: page.total ?? 0,
      };
    },
  },

  'crm.item.get': {
    scopes: ['crm'],
    run(ctx) {
      const kind = entityKind(ctx);
      return ok({ item: ctx.portal.crm.itemView(itemFor(ctx, kind), ['*'], original(ctx)) });
    },
  },

  'crm.item.update': {
    scopes: ['crm'],
    run(ctx) {
      const kind = entityKind(ctx);
      const rec = itemFor(ctx, kind);
      const fields = param(ctx.params, 'fields');
      if (!isRecord(fields)) throw new RestError(400, '100', 'Required fields are not provided: fields');
      const resolve = itemResolver(ctx, kind);
      const classic: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(fields)) {
        const field = resolve(name);
        if (field !== undefined) classic[field] = value;
      }
      ctx.portal.crm.apply(rec, classic, { userId: ctx.auth.user.id, now: ctx.now }, false);
      ctx.portal.emitEvent(`ONCRM${kind.toUpperCase()}UPDATE`, { FIELDS: { ID: rec.id } }, ctx.auth.user.id);
      return ok({ item: ctx.portal.crm.itemView(rec, ['*'], original(ctx)) });
    },
  },
};

