import type { FieldIssue } from '@server/core/errors';
import { validateScenario } from '@server/scenario/validate';
import type { EditorGraph } from './graph';

/**
 * The scenario's problems, checked in the browser by the same `validateScenario` the server runs
 * on save and before every call, each tied to the node it is about (by the `nodes.N…` path) so the
 * editor can mark that node. Messages are the server's keys, translated here the way the server
 * translates them (a nested reason first, then embedded).
 */
export interface EditorIssue {
  /** The node the problem is on; undefined for the scenario as a whole (name, variables, start). */
  nodeId?: string;
  /** The setting it is about (`settings.question`), when known. */
  field?: string;
  key: string;
  params: Record<string, unknown>;
  path: string;
}

export function issuesOf(graph: EditorGraph): EditorIssue[] {
  const r = validateScenario(graph);
  return r.ok ? [] : r.issues.map((i) => toEditorIssue(graph, i));
}

export function toEditorIssue(graph: EditorGraph, i: FieldIssue): EditorIssue {
  const m = /^nodes\.(\d+)(?:\.(.*))?$/.exec(i.path);
  const node = m ? graph.nodes[Number(m[1])] : undefined;
  return { nodeId: node?.id, field: m?.[2], key: i.key, params: i.params ?? {}, path: i.path };
}

/** Issues from the server's 422 (`details`: path + message already translated) tied to nodes the same way. */
export function serverIssues(graph: EditorGraph, details: { path: string; message: string; reason: string }[]): (EditorIssue & { message: string })[] {
  return details.map((d) => ({ ...toEditorIssue(graph, { path: d.path, key: d.reason }), message: d.message }));
}

/** The translated message of an issue, given the console's translator. */
export function messageOf(issue: EditorIssue, t: (key: string, params?: Record<string, unknown>) => string): string {
  const params: Record<string, unknown> = { ...issue.params };
  if (typeof params.reasonKey === 'string') params.reason = t(params.reasonKey, params);
  return t(issue.key, params);
}
