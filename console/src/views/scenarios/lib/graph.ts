import { elementOf } from '@server/scenario/elements/index';
import type { ScenarioGraph, ScenarioNode } from '@server/scenario/schema';
import { SYSTEM_VARIABLES } from '@server/scenario/variables';

/**
 * The scenario being edited, as the server stores it (name, language, variables, nodes with their
 * settings, exits and positions), and the operations of the editor on it. Every operation returns
 * a new graph: the editor keeps the old one in its undo history.
 */
export type EditorNode = ScenarioNode;
export type EditorGraph = ScenarioGraph;

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The exits a node offers, from its element (a question: one per branch, plus no match / no input). */
export function exitsOf(node: EditorNode): { name: string; required: boolean }[] {
  const def = elementOf(node.type);
  if (!def) return Object.keys(node.exits).map((name) => ({ name, required: false }));
  const parsed = def.settingsSchema.safeParse(node.settings);
  if (parsed.success) return def.exits(parsed.data);
  // Settings half-typed: keep the exits already connected, and the question's branches by name.
  const branches = Array.isArray((node.settings as { branches?: unknown }).branches) ? ((node.settings as { branches: { id?: unknown }[] }).branches.map((b) => b.id).filter((x): x is string => typeof x === 'string')) : [];
  const names = [...new Set([...branches, ...Object.keys(node.exits)])];
  return names.map((name) => ({ name, required: true }));
}

/** A free id for a new node of this type: speak1, speak2, … */
export function freshId(graph: EditorGraph, type: string): string {
  const used = new Set(graph.nodes.map((n) => n.id));
  for (let i = 1; ; i++) if (!used.has(`${type}${i}`)) return `${type}${i}`;
}

/** Settings a new node starts with, in the scenario's language (texts come from the caller). */
export function newNode(graph: EditorGraph, type: string, position: { x: number; y: number }, defaults: Record<string, unknown>): EditorNode {
  return { id: freshId(graph, type), type, settings: defaults, exits: {}, position };
}

export function addNode(graph: EditorGraph, node: EditorNode): EditorGraph {
  return { ...graph, nodes: [...graph.nodes, node] };
}

/** Removes a node and every exit that led to it. */
export function removeNode(graph: EditorGraph, id: string): EditorGraph {
  return {
    ...graph,
    nodes: graph.nodes
      .filter((n) => n.id !== id)
      .map((n) => ({ ...n, exits: Object.fromEntries(Object.entries(n.exits).filter(([, target]) => target !== id)) })),
  };
}

/** Points a node's exit at another node (drag from an exit to a node). */
export function connect(graph: EditorGraph, from: string, exit: string, to: string): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === from ? { ...n, exits: { ...n.exits, [exit]: to } } : n)) };
}

export function disconnect(graph: EditorGraph, from: string, exit: string): EditorGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.id !== from) return n;
      const { [exit]: _gone, ...rest } = n.exits;
      return { ...n, exits: rest };
    }),
  };
}

export function updateNode(graph: EditorGraph, id: string, patch: Partial<EditorNode>): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

/**
 * Renames a node's id and every exit that points at it. Ids are what the step log and the CRM's
 * answers refer to, so a rename is explicit; an id in use or not allowed is refused (null).
 */
export function renameNode(graph: EditorGraph, from: string, to: string): EditorGraph | null {
  if (from === to) return graph;
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(to) || graph.nodes.some((n) => n.id === to)) return null;
  return {
    ...graph,
    nodes: graph.nodes.map((n) => ({
      ...n,
      id: n.id === from ? to : n.id,
      exits: Object.fromEntries(Object.entries(n.exits).map(([k, v]) => [k, v === from ? to : v])),
    })),
  };
}

/** Exits connected to a branch that no longer exists are dropped when the question's branches change. */
export function pruneExits(node: EditorNode): EditorNode {
  const names = new Set(exitsOf(node).map((e) => e.name));
  return { ...node, exits: Object.fromEntries(Object.entries(node.exits).filter(([k]) => names.has(k))) };
}

/** Variables a text field may use: declared ones, the system ones, and those elements set (a question's "save as"). */
export function knownVariables(graph: EditorGraph): { name: string; description: string; source: 'declared' | 'system' | 'element' }[] {
  const out = new Map<string, { name: string; description: string; source: 'declared' | 'system' | 'element' }>();
  for (const v of graph.variables) out.set(v.name, { name: v.name, description: v.description, source: 'declared' });
  for (const s of SYSTEM_VARIABLES) if (!out.has(s)) out.set(s, { name: s, description: '', source: 'system' });
  for (const n of graph.nodes) {
    const def = elementOf(n.type);
    const parsed = def?.settingsSchema.safeParse(n.settings);
    if (def && parsed?.success) for (const v of def.variablesSet(parsed.data)) if (!out.has(v)) out.set(v, { name: v, description: '', source: 'element' });
  }
  return [...out.values()];
}

/**
 * Positions for nodes that have none (a scenario made through the API): layers by distance from
 * the start, left to right within a layer. Nodes with a position keep it.
 */
export function layout(graph: EditorGraph): EditorGraph {
  if (graph.nodes.every((n) => n.position)) return graph;
  const start = graph.nodes.find((n) => n.type === 'start') ?? graph.nodes[0];
  const depth = new Map<string, number>();
  if (start) {
    depth.set(start.id, 0);
    const queue = [start.id];
    while (queue.length) {
      const id = queue.shift()!;
      const node = graph.nodes.find((n) => n.id === id);
      for (const target of Object.values(node?.exits ?? {})) {
        if (!depth.has(target)) {
          depth.set(target, depth.get(id)! + 1);
          queue.push(target);
        }
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  // Left to right within a layer, each node as wide as its exits need (the question is widest).
  const widthOf = (n: EditorNode) => Math.max(180, exitsOf(n).length * 72) + 40;
  const nextX = new Map<number, number>();
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.position) return n;
      const d = depth.get(n.id) ?? maxDepth + 1;
      const x = nextX.get(d) ?? 40;
      nextX.set(d, x + widthOf(n));
      return { ...n, position: { x, y: 40 + d * 150 } };
    }),
  };
}
