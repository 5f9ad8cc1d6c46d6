import { LRUCache } from 'lru-cache';
import type { TemplateSettings } from '../core/template.js';
import { validateScenario } from '../scenario/validate.js';
import type { ScenarioGraph } from '../scenario/schema.js';
import type { Queryable } from '../store/db.js';
import { findVersionById, SCENARIOS, TEMPLATES } from '../store/repositories/versioned.js';

/**
 * The template and scenario versions a call runs, read once per process rather than on every
 * step of every call. A version never changes once written (versions are append-only), so its id
 * is a safe key; a version removed with its tenant is never asked for again, and the cache is
 * bounded. A scenario is kept validated: checking a graph cost more than reading it. Bodies are
 * frozen so no caller can change what the next call reads.
 */
export interface ScenarioVersion {
  body: ScenarioGraph;
  /** The graph ready to interpret, or undefined when the stored version does not validate. */
  graph: ScenarioGraph | undefined;
}

const templates = new LRUCache<string, Readonly<TemplateSettings>>({ max: 500 });
const scenarios = new LRUCache<string, ScenarioVersion>({ max: 500 });

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x as Record<string, unknown>)) deepFreeze(v);
  }
  return x;
}

export async function templateVersion(db: Queryable, versionId: string): Promise<Readonly<TemplateSettings> | undefined> {
  const hit = templates.get(versionId);
  if (hit) return hit;
  const found = await findVersionById<TemplateSettings>(db, TEMPLATES, versionId);
  if (!found) return undefined;
  const body = deepFreeze(found.body);
  templates.set(versionId, body);
  return body;
}

export async function scenarioVersion(db: Queryable, versionId: string): Promise<ScenarioVersion | undefined> {
  const hit = scenarios.get(versionId);
  if (hit) return hit;
  const found = await findVersionById<ScenarioGraph>(db, SCENARIOS, versionId);
  if (!found) return undefined;
  const checked = validateScenario(found.body);
  const version = deepFreeze({ body: found.body, graph: checked.ok ? checked.graph : undefined });
  scenarios.set(versionId, version);
  return version;
}
