import { elementOf } from './elements/index.js';
import type { CollectedAnswer, ResolvedRedirect, ScenarioResult } from './elements/contract.js';
import { CallAbortedError, isAbort, type CallMedia, type TransferTarget } from './media.js';
import type { ScenarioGraph } from './schema.js';
import { validateScenario } from './validate.js';
import { renderText } from './variables.js';

/**
 * Runs a scenario on a live call. Elements do the work; the interpreter walks the graph, merges what
 * each element returns, announces every step, and stops on hang-up, transfer, abort or a runaway loop.
 */
export interface ScenarioStep {
  nodeId: string;
  type: string;
  title?: string | undefined;
  exit?: string | undefined;
  detail?: string | undefined;
  /** Milliseconds since the scenario started. */
  atMs: number;
  durationMs: number;
  /** The scenario this node belongs to (changes after a switch to another scenario). */
  scenario: string;
}

export type ScenarioEnd =
  | { kind: 'hangup' }
  | { kind: 'transfer'; target: TransferTarget; connected: boolean }
  /** The callee hung up or the call was cut (machine detected, operator took over). */
  | { kind: 'aborted'; reason: string }
  /** An optional exit with no target was taken: the call simply ends. */
  | { kind: 'completed' }
  | { kind: 'error'; code: 'loop_limit' | 'element_failed' | 'scenario_invalid' | 'scenario_missing'; message: string };

export interface ScenarioRun {
  end: ScenarioEnd;
  result: ScenarioResult | undefined;
  answers: Record<string, CollectedAnswer>;
  vars: Record<string, string>;
  steps: ScenarioStep[];
}

export interface RunScenarioOptions {
  graph: ScenarioGraph;
  vars: Record<string, string>;
  media: CallMedia;
  redirect: ResolvedRedirect;
  signal: AbortSignal;
  /** Loads another scenario when the redirect switches to it. */
  loadScenario(id: string): Promise<ScenarioGraph | undefined>;
  onStep?(step: ScenarioStep): void;
  /** Elapsed-time source for step timings (the sandbox's scaled clock). */
  elapsedMs?(): number;
  maxSteps?: number;
}

export async function runScenario(opts: RunScenarioOptions): Promise<ScenarioRun> {
  const started = Date.now();
  const elapsed = opts.elapsedMs ?? (() => Date.now() - started);
  const maxSteps = opts.maxSteps ?? 500;
  let graph = opts.graph;
  let vars: Record<string, string> = { ...opts.vars };
  let result: ScenarioResult | undefined;
  const answers: Record<string, CollectedAnswer> = {};
  const steps: ScenarioStep[] = [];
  const finish = (end: ScenarioEnd): ScenarioRun => ({ end, result, answers, vars, steps });

  let nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  let current = graph.nodes.find((n) => n.type === 'start');
  let switches = 0;

  for (let count = 0; current; count++) {
    if (count >= maxSteps) return finish({ kind: 'error', code: 'loop_limit', message: `more than ${maxSteps} steps` });
    if (opts.signal.aborted) return finish({ kind: 'aborted', reason: reasonOf(opts.signal) });
    const def = elementOf(current.type);
    const settings = def?.settingsSchema.safeParse(current.settings);
    if (!def || !settings?.success) {
      return finish({ kind: 'error', code: 'scenario_invalid', message: `node ${current.id}` });
    }
    const at = elapsed();
    const snapshot = vars;
    let outcome;
    try {
      outcome = await def.run({
        nodeId: current.id,
        settings: settings.data,
        lang: graph.language,
        vars: snapshot,
        media: def.needs === 'media' ? opts.media : undefined,
        redirect: opts.redirect,
        signal: opts.signal,
        render: (text) => renderText(text, snapshot),
      });
    } catch (e) {
      if (isAbort(e) || opts.signal.aborted) {
        steps.push(stepOf(current, graph, at, elapsed(), 'aborted'));
        return finish({ kind: 'aborted', reason: e instanceof CallAbortedError ? e.reason : reasonOf(opts.signal) });
      }
      steps.push(stepOf(current, graph, at, elapsed(), 'error', (e as Error).message));
      return finish({ kind: 'error', code: 'element_failed', message: `${current.id}: ${(e as Error).message}` });
    }
    if (outcome.setVars) vars = { ...vars, ...outcome.setVars };
    if (outcome.result) result = outcome.result;
    if (outcome.answer) answers[current.id] = outcome.answer;
    const step = stepOf(current, graph, at, elapsed(), outcome.exit, outcome.detail);
    steps.push(step);
    opts.onStep?.(step);

    const end = outcome.end;
    if (end?.kind === 'hangup') return finish({ kind: 'hangup' });
    if (end?.kind === 'transfer') return finish({ kind: 'transfer', target: end.target, connected: end.connected });
    if (end?.kind === 'switch_scenario') {
      // Guard against two scenarios redirecting to each other forever.
      if (++switches > 5) return finish({ kind: 'error', code: 'loop_limit', message: 'too many scenario switches' });
      const next = await opts.loadScenario(end.scenarioId);
      const checked = next ? validateScenario(next) : undefined;
      if (!checked?.ok) return finish({ kind: 'error', code: 'scenario_missing', message: end.scenarioId });
      graph = checked.graph;
      nodes = new Map(graph.nodes.map((n) => [n.id, n]));
      current = graph.nodes.find((n) => n.type === 'start');
      continue;
    }
    const target = outcome.exit ? current.exits[outcome.exit] : undefined;
    if (!target) return finish({ kind: 'completed' });
    current = nodes.get(target);
  }
  return finish({ kind: 'completed' });
}

function stepOf(
  node: { id: string; type: string; title?: string | undefined },
  graph: ScenarioGraph,
  atMs: number,
  nowMs: number,
  exit?: string,
  detail?: string,
): ScenarioStep {
  return { nodeId: node.id, type: node.type, title: node.title, exit, detail, atMs, durationMs: Math.max(0, nowMs - atMs), scenario: graph.name };
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof CallAbortedError) return r.reason;
  return typeof r === 'string' ? r : 'aborted';
}
