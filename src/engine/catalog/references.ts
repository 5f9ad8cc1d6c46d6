import { conflict, type FieldIssue } from '../../core/errors.js';
import { isUniqueViolation, type Queryable } from '../../store/db.js';

/** Which current templates point at an entity: deleting it would break them. */
export type ReferencedEntity = 'scenario' | 'redialSet' | 'callerIdGroup' | 'dialPlan' | 'direction' | 'greeting';

const CONDITIONS: Record<ReferencedEntity, string> = {
  scenario: `v.settings->>'scenarioId' = $2 OR v.settings->'redirect'->>'scenarioId' = $2`,
  redialSet: `v.settings->'redial'->>'setId' = $2`,
  callerIdGroup: `v.settings->'callerId'->>'groupId' = $2`,
  dialPlan: `v.settings->'dialPlan'->>'dialPlanId' = $2 OR v.settings->'redirect'->>'dialPlanId' = $2`,
  direction: `v.settings->'redirect'->>'directionId' = $2`,
  greeting: `v.settings->'amd'->>'greetingId' = $2`,
};

async function templatesReferencing(db: Queryable, tenantId: string, entity: ReferencedEntity, id: string): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT h.name FROM templates h
     JOIN template_versions v ON v.template_id = h.id AND v.version = h.current_version
     WHERE h.tenant_id = $1 AND h.deleted_at IS NULL AND (${CONDITIONS[entity]})
     ORDER BY h.name`,
    [tenantId, id],
  );
  return r.rows.map((x) => x.name);
}

/** Refuses (409 `errors.in_use`, naming the templates) to delete an entity a current template points at. */
export async function assertUnreferenced(db: Queryable, tenantId: string, entity: ReferencedEntity, id: string): Promise<void> {
  const users = await templatesReferencing(db, tenantId, entity, id);
  if (users.length) throw conflict('errors.in_use', { templates: users.join(', ') });
}

/** Checks that each referenced id exists in the tenant; returns an issue per missing one. */
export async function missingReferences(
  db: Queryable,
  tenantId: string,
  refs: { path: string; table: 'scenarios' | 'redial_rule_sets' | 'caller_id_groups' | 'dial_plans' | 'transfer_directions' | 'media'; id: string; extra?: string }[],
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const ref of refs) {
    const soft = ref.table === 'scenarios' ? ' AND deleted_at IS NULL' : '';
    const r = await db.query(`SELECT 1 FROM ${ref.table} WHERE tenant_id = $1 AND id = $2${soft}${ref.extra ?? ''}`, [tenantId, ref.id]);
    if (r.rows.length === 0) issues.push({ path: ref.path, key: 'validation.reference_not_found', params: { id: ref.id } });
  }
  return issues;
}

/** Runs a write that stores `name`; a clash with another entity's name becomes 409 `errors.name_taken`. */
export async function withUniqueName<R>(name: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('errors.name_taken', { name });
    throw e;
  }
}
