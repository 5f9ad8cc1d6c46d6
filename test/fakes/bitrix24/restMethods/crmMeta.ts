import { parseFilter, matches } from '../crm/listQuery.js';
import { statusRow } from '../crm/stages.js';
import { userFieldRow } from '../crm/userFields.js';
import { asInt, isRecord, param } from '../params.js';
import { RestError, crmError } from '../restError.js';
import type { CrmEntityKind } from '../types.js';
import { ok, type MethodTable } from './registry.js';

function userFieldMethods(kind: CrmEntityKind): MethodTable {
  const prefix = `crm.${kind}.userfield`;
  return {
    [`${prefix}.add`]: {
      scopes: ['crm'],
      run(ctx) {
        const fields = param(ctx.params, 'fields');
        if (!isRecord(fields)) throw crmError("The 'FIELD_NAME' field is not found.");
        return ok(ctx.portal.userFields.add(kind, fields).id);
      },
    },
    [`${prefix}.get`]: {
      scopes: ['crm'],
      run(ctx) {
        const def = ctx.portal.userFields.get(kind, asInt(param(ctx.params, 'id')) ?? -1);
        if (!def) throw crmError('Not found');
        return ok(userFieldRow(def));
      },
    },
    [`${prefix}.list`]: {
      scopes: ['crm'],
      run(ctx) {
        const filter = parseFilter(param(ctx.params, 'filter'), (name) => name.toUpperCase());
        const rows = ctx.portal.userFields
          .list(kind)
          .map(userFieldRow)
          .filter((row) => matches(filter, (field) => row[field] ?? null));
        return { result: rows, total: rows.length };
      },
    },
    [`${prefix}.update`]: {
      scopes: ['crm'],
      run(ctx) {
        const fields = param(ctx.params, 'fields');
        ctx.portal.userFields.update(kind, asInt(param(ctx.params, 'id')) ?? -1, isRecord(fields) ? fields : {});
        return ok(true);
      },
    },
    [`${prefix}.delete`]: {
      scopes: ['crm'],
      run(ctx) {
        ctx.portal.userFields.delete(kind, asInt(param(ctx.params, 'id')) ?? -1);
        return ok(true);
      },
    },
  };
}

export const crmMetaMethods: MethodTable = {
  ...userFieldMethods('deal'),
  ...userFieldMethods('lead'),
  ...userFieldMethods('contact'),
  ...userFieldMethods('company'),

  /** Stages, statuses, sources (RD:crm-status-list.md); filter e.g. `{ENTITY_ID: 'DEAL_STAGE'}`. */
  'crm.status.list': {
    scopes: ['crm'],
    run(ctx) {
      const filter = parseFilter(param(ctx.params, 'filter'), (name) => name.toUpperCase());
      const rows = ctx.portal.stages.statuses.map(statusRow).filter((row) => matches(filter, (f) => row[f] ?? null));
      return { result: rows, total: rows.length };
    },
  },

  /** Pipelines (RD:crm-category-list.md): `{categories:[{id,name,sort,entityTypeId,isDefault}]}`. */
  'crm.category.list': {
    scopes: ['crm'],
    run(ctx) {
      const entityTypeId = asInt(param(ctx.params, 'entityTypeId'));
      if (entityTypeId === undefined) throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
      const categories = ctx.portal.stages.categories
        .filter((c) => c.entityTypeId === entityTypeId)
        .map((c) => ({ id: c.id, name: c.name, sort: c.sort, entityTypeId: c.entityTypeId, isDefault: c.isDefault ? 'Y' : 'N' }));
      return { result: { categories }, total: categories.length };
    },
  },

  'crm.dealcategory.stage.list': {
    scopes: ['crm'],
    run(ctx) {
      const id = asInt(param(ctx.params, 'id')) ?? 0;
      return ok(ctx.portal.stages.dealStages(id).map((s) => ({ NAME: s.name, SORT: String(s.sort), STATUS_ID: s.statusId })));
    },
  },
};
