import { conflict, notFound, validationFailed } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { validateScenario } from '../../scenario/validate.js';
import { withTransaction } from '../../store/db.js';
import { appendVersion, insertVersioned, SCENARIOS, softDeleteVersioned, type Versioned } from '../../store/repositories/versioned.js';
import { assertUnreferenced } from './references.js';

export type Scenario = Versioned<ScenarioGraph>;

function check(input: unknown): ScenarioGraph {
  const r = validateScenario(input);
  if (!r.ok) throw validationFailed(r.issues);
  return r.graph;
}

export async function createScenario(ctx: AppContext, tenantId: string, userId: string | null, input: unknown): Promise<Scenario> {
  const graph = check(input);
  return insertVersioned(ctx.db, SCENARIOS, { tenantId, name: graph.name, body: graph, createdBy: userId });
}

/** A scenario may be edited at any time (J7): the next call uses the new version. */
export async function updateScenario(
  ctx: AppContext,
  tenantId: string,
  userId: string | null,
  id: string,
  input: unknown,
  expectedVersion?: number,
): Promise<Scenario> {
  const graph = check(input);
  const r = await appendVersion(ctx.db, SCENARIOS, { tenantId, id, name: graph.name, body: graph, createdBy: userId, expectedVersion });
  if (r === 'not_found') throw notFound('scenario', id);
  if (r === 'stale') throw conflict('errors.stale_version', { expected: expectedVersion });
  return r;
}

export async function deleteScenario(ctx: AppContext, tenantId: string, id: string): Promise<void> {
  await withTransaction(ctx.db, async (tx) => {
    await assertUnreferenced(tx, tenantId, 'scenario', id);
    if (!(await softDeleteVersioned(tx, SCENARIOS, tenantId, id))) throw notFound('scenario', id);
  });
}
