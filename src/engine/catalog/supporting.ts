import type { z } from 'zod';
import {
  callerIdGroupSchema,
  dialPlanSchema,
  redialRuleSetSchema,
  transferDirectionSchema,
} from '../../core/catalog.js';
import { notFound, validationFailed, type FieldIssue } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { withTransaction } from '../../store/db.js';
import { callerIdGroups, dialPlans, redialRuleSets, transferDirections } from '../../store/repositories/catalog.js';
import type { Named, NamedEntityRepo } from '../../store/repositories/namedEntities.js';
import { assertUnreferenced, withUniqueName, type ReferencedEntity } from './references.js';

/**
 * CRUD for the entities templates refer to: validate, normalise phone numbers to E.164 with
 * per-number errors, keep names unique, and refuse to delete what a template still uses.
 */
export interface SupportingEntity<T extends Record<string, unknown>> {
  list(ctx: AppContext, tenantId: string): Promise<Named<T>[]>;
  get(ctx: AppContext, tenantId: string, id: string): Promise<Named<T>>;
  create(ctx: AppContext, tenantId: string, input: unknown): Promise<Named<T>>;
  update(ctx: AppContext, tenantId: string, id: string, input: unknown): Promise<Named<T>>;
  remove(ctx: AppContext, tenantId: string, id: string): Promise<void>;
}

function normaliseNumbers(numbers: string[], country: string, path: string, allowExtensions = false): { numbers: string[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const out: string[] = [];
  numbers.forEach((raw, i) => {
    // Short internal extensions are valid transfer targets as they are.
    if (allowExtensions && /^\d{2,6}$/.test(raw.trim())) {
      if (!out.includes(raw.trim())) out.push(raw.trim());
      return;
    }
    const n = normalizePhone(raw, country);
    if (!n.ok) issues.push({ path: `${path}.${i}`, key: `phone.${n.reason}`, params: { value: raw } });
    else if (!out.includes(n.e164)) out.push(n.e164);
  });
  return { numbers: out, issues };
}

function supportingEntity<S extends z.ZodType<{ name: string }>, T extends Record<string, unknown>>(o: {
  entity: string;
  schema: S;
  repo: NamedEntityRepo<T>;
  reference: ReferencedEntity;
  toData(v: z.output<S>): { data: T; issues: FieldIssue[] };
}): SupportingEntity<T> {
  const parse = (input: unknown) => {
    const v = parseInput(o.schema, input);
    const { data, issues } = o.toData(v);
    if (issues.length) throw validationFailed(issues);
    return { name: v.name, data };
  };
  return {
    list: (ctx, tenantId) => o.repo.list(ctx.db, tenantId),
    async get(ctx, tenantId, id) {
      const found = await o.repo.find(ctx.db, tenantId, id);
      if (!found) throw notFound(o.entity, id);
      return found;
    },
    async create(ctx, tenantId, input) {
      const { name, data } = parse(input);
      return withUniqueName(name, () => o.repo.insert(ctx.db, tenantId, name, data));
    },
    async update(ctx, tenantId, id, input) {
      const { name, data } = parse(input);
      const r = await withUniqueName(name, () => o.repo.update(ctx.db, tenantId, id, name, data));
      if (!r) throw notFound(o.entity, id);
      return r;
    },
    async remove(ctx, tenantId, id) {
      await withTransaction(ctx.db, async (tx) => {
        await assertUnreferenced(tx, tenantId, o.reference, id);
        if (!(await o.repo.remove(tx, tenantId, id))) throw notFound(o.entity, id);
      });
    },
  };
}

export const redialRuleSetService = supportingEntity({
  entity: 'redial_rule_set',
  schema: redialRuleSetSchema,
  repo: redialRuleSets,
  reference: 'redialSet',
  toData: (v) => ({ data: { rules: v.rules }, issues: [] }),
});

export const callerIdGroupService = supportingEntity({
  entity: 'caller_id_group',
  schema: callerIdGroupSchema,
  repo: callerIdGroups,
  reference: 'callerIdGroup',
  toData: (v) => {
    const { numbers, issues } = normaliseNumbers(v.numbers, v.country, 'numbers');
    return { data: { numbers, strategy: v.strategy }, issues };
  },
});

export const dialPlanService = supportingEntity({
  entity: 'dial_plan',
  schema: dialPlanSchema,
  repo: dialPlans,
  reference: 'dialPlan',
  toData: (v) => ({ data: { trunk: v.trunk, rules: v.rules }, issues: [] }),
});

export const transferDirectionService = supportingEntity({
  entity: 'transfer_direction',
  schema: transferDirectionSchema,
  repo: transferDirections,
  reference: 'direction',
  toData: (v) => {
    const { numbers, issues } = normaliseNumbers(v.numbers, v.country, 'numbers', true);
    return { data: { numbers, strategy: v.strategy, ringTimeoutSec: v.ringTimeoutSec }, issues };
  },
});
