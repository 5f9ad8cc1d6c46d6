import type { FieldIssue } from '../core/errors.js';
import { toFieldIssues } from '../core/validation.js';
import { elementOf } from './elements/index.js';
import type { ElementDefinition, ExitSpec } from './elements/contract.js';
import { scenarioGraphSchema, type ScenarioGraph, type ScenarioNode } from './schema.js';
import { SYSTEM_VARIABLES } from './variables.js';

/**
 * Checks a scenario before it is saved and again when a call loads it. Every problem names the node
 * (and exit or variable) so the editor can point at it: unknown element, bad settings, a dangling
 * or unknown exit, unreachable nodes, undeclared variables, and loops the call could never leave.
 */
export type ValidationResult = { ok: true; graph: ScenarioGraph } | { ok: false; issues: FieldIssue[] };

interface Resolved {
  node: ScenarioNode;
  index: number;
  def: ElementDefinition<unknown>;
  settings: unknown;
  exits: ExitSpec[];
}

export function validateScenario(input: unknown): ValidationResult {
  const shape = scenarioGraphSchema.safeParse(input);
  if (!shape.success) return { ok: false, issues: toFieldIssues(shape.error) };
  const graph = shape.data;
  const issues: FieldIssue[] = [];
  const at = (i: number, rest = '') => `nodes.${i}${rest}`;

  const byId = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    if (byId.has(n.id)) issues.push({ path: at(i, '.id'), key: 'scenario.duplicate_node', params: { node: n.id } });
    else byId.set(n.id, i);
  });

  const resolved = new Map<string, Resolved>();
  graph.nodes.forEach((node, index) => {
    const def = elementOf(node.type);
    if (!def) {
      issues.push({ path: at(index, '.type'), key: 'scenario.unknown_element', params: { node: node.id, type: node.type } });
      return;
    }
    const parsed = def.settingsSchema.safeParse(node.settings);
    if (!parsed.success) {
      for (const i of toFieldIssues(parsed.error)) {
        issues.push({
          path: at(index, `.settings${i.path ? `.${i.path}` : ''}`),
          key: 'scenario.bad_setting',
          params: { node: node.id, field: i.path || node.type, reasonKey: i.key, ...i.params },
        });
      }
      return;
    }
    const exits = def.exits(parsed.data);
    if (!resolved.has(node.id)) resolved.set(node.id, { node, index, def, settings: parsed.data, exits });
  });

  const starts = graph.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) issues.push({ path: 'nodes', key: 'scenario.one_start', params: { count: starts.length } });

  for (const r of resolved.values()) {
    const declared = new Set(r.exits.map((e) => e.name));
    for (const [exit, target] of Object.entries(r.node.exits)) {
      if (!declared.has(exit)) {
        issues.push({ path: at(r.index, `.exits.${exit}`), key: 'scenario.unknown_exit', params: { node: r.node.id, exit } });
      } else if (!byId.has(target)) {
        issues.push({ path: at(r.index, `.exits.${exit}`), key: 'scenario.dangling_exit', params: { node: r.node.id, exit, target } });
      } else if (target === r.node.id && !r.def.waitsForCallee) {
        issues.push({ path: at(r.index, `.exits.${exit}`), key: 'scenario.self_loop', params: { node: r.node.id, exit } });
      }
    }
    for (const e of r.exits) {
      if (e.required && !r.node.exits[e.name]) {
        issues.push({ path: at(r.index, `.exits.${e.name}`), key: 'scenario.missing_exit', params: { node: r.node.id, exit: e.name } });
      }
    }
  }

  // Variables: declared, system, or produced by some element of this scenario.
  const known = new Set<string>([...SYSTEM_VARIABLES, ...graph.variables.map((v) => v.name)]);
  for (const r of resolved.values()) for (const v of r.def.variablesSet(r.settings)) known.add(v);
  for (const r of resolved.values()) {
    for (const v of r.def.variablesUsed(r.settings)) {
      if (!known.has(v)) issues.push({ path: at(r.index, '.settings'), key: 'scenario.unknown_variable', params: { node: r.node.id, variable: v } });
    }
  }
  const seenVars = new Set<string>();
  graph.variables.forEach((v, i) => {
    if (seenVars.has(v.name) || (SYSTEM_VARIABLES as readonly string[]).includes(v.name)) {
      issues.push({ path: `variables.${i}.name`, key: 'scenario.duplicate_variable', params: { variable: v.name } });
    }
    seenVars.add(v.name);
  });

  if (issues.length === 0 && starts[0]) issues.push(...checkFlow(graph, resolved, starts[0].id, byId));
  return issues.length ? { ok: false, issues } : { ok: true, graph };
}

/** Reachability from start, a way out from every node, and no loop that never waits for the callee. */
function checkFlow(graph: ScenarioGraph, resolved: Map<string, Resolved>, startId: string, byId: Map<string, number>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const edges = (id: string) => Object.values(resolved.get(id)?.node.exits ?? {});

  const reachable = new Set<string>([startId]);
  const queue = [startId];
  while (queue.length) {
    for (const t of edges(queue.shift()!)) {
      if (reachable.has(t)) continue;
      reachable.add(t);
      queue.push(t);
    }
  }
  for (const n of graph.nodes) {
    if (!reachable.has(n.id)) issues.push({ path: `nodes.${byId.get(n.id)}`, key: 'scenario.unreachable', params: { node: n.id } });
  }

  // A node "has a way out" if it can end the call: a terminal element, an optional unconnected exit
  // (taking it ends the call), or an edge to a node that has a way out.
  const canEnd = new Set<string>();
  for (const r of resolved.values()) {
    if (r.exits.length === 0 || r.exits.some((e) => !e.required && !r.node.exits[e.name])) canEnd.add(r.node.id);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of resolved.values()) {
      if (!canEnd.has(r.node.id) && edges(r.node.id).some((t) => canEnd.has(t))) {
        canEnd.add(r.node.id);
        changed = true;
      }
    }
  }
  for (const n of graph.nodes) {
    if (reachable.has(n.id) && !canEnd.has(n.id)) {
      issues.push({ path: `nodes.${byId.get(n.id)}`, key: 'scenario.no_way_out', params: { node: n.id } });
    }
  }

  // Cycles among elements that never wait for the callee would spin forever: find them with the
  // waiting elements removed from the graph.
  const spinning = cyclesWithout(resolved, (r) => Boolean(r.def.waitsForCallee));
  for (const id of spinning) issues.push({ path: `nodes.${byId.get(id)}`, key: 'scenario.endless_loop', params: { node: id } });
  return issues;
}

function cyclesWithout(resolved: Map<string, Resolved>, skip: (r: Resolved) => boolean): string[] {
  const ids = [...resolved.keys()].filter((id) => !skip(resolved.get(id)!));
  const inSet = new Set(ids);
  const out: string[] = [];
  const state = new Map<string, 0 | 1 | 2>();
  const visit = (id: string): void => {
    state.set(id, 1);
    for (const t of Object.values(resolved.get(id)!.node.exits)) {
      if (!inSet.has(t)) continue;
      // t is still being visited: an edge back to it closes a cycle through t.
      if (state.get(t) === 1) {
        if (!out.includes(t)) out.push(t);
      } else if (!state.get(t)) visit(t);
    }
    state.set(id, 2);
  };
  for (const id of ids) if (!state.get(id)) visit(id);
  return out;
}
