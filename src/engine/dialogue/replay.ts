import type { ResolvedRedirect } from '../../scenario/elements/contract.js';
import { runScenario, type ScenarioRun } from '../../scenario/interpreter.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import type { CallAction } from '../../voice/port.js';
import { ReplayMedia, type TimedInput, type TransferMapper } from './replayMedia.js';

/**
 * One interpreter step by replay. A call's state is only the inputs the platform reported so far
 * (what the callee said, how transfers ended), stored with the attempt. Each step runs the scenario
 * from its start on a ReplayMedia that answers from those inputs and suspends at the first question
 * it has no answer for; the actions produced since the last input are the step's result.
 *
 * Why replay rather than keeping a running interpreter per call: the elements
 * (src/scenario/elements/*) stay exactly as they are, written against CallMedia; any process can
 * take the next step (webhooks land anywhere behind a load balancer) and a crash loses nothing but
 * the step in flight, which the platform repeats. Elements are deterministic given their inputs
 * (variables, pinned scenario versions, the stored answers), so a replay retraces the same path.
 * The cost is a few milliseconds of CPU per step (bench `voice_step_p99_ms`). An element that one
 * day does I/O of its own (an HTTP request, M27) must record its result as an input the same way.
 */
export type ReplayResult =
  | { kind: 'suspended'; actions: CallAction[] }
  | { kind: 'ended'; actions: CallAction[]; run: ScenarioRun }
  | { kind: 'out_of_step'; message: string; run: ScenarioRun };

export interface ReplayInput {
  graph: ScenarioGraph;
  vars: Record<string, string>;
  redirect: ResolvedRedirect;
  /** Inputs after "answered", oldest first. */
  inputs: readonly TimedInput[];
  mapTransfer: TransferMapper;
  loadScenario(id: string): Promise<ScenarioGraph | undefined>;
  /** The call is over: end the run at the question it waits on, with this reason. */
  terminal?: string | undefined;
}

export async function replayScenario(p: ReplayInput): Promise<ReplayResult> {
  const abort = new AbortController();
  const media = new ReplayMedia(p.inputs, { abort, mapTransfer: p.mapTransfer, terminal: p.terminal, startMs: 0 });
  const run = await runScenario({
    graph: p.graph,
    vars: p.vars,
    media,
    redirect: p.redirect,
    signal: abort.signal,
    loadScenario: p.loadScenario,
    elapsedMs: () => media.elapsedMs(),
  });
  if (media.outOfStep) return { kind: 'out_of_step', message: media.outOfStep, run };
  if (media.suspended) return { kind: 'suspended', actions: media.actions() };
  if (!p.terminal && !media.consumedAll()) {
    return { kind: 'out_of_step', message: 'the scenario ended before every reported input was used', run };
  }
  // The run is over: make sure the call ends, unless a transfer connected (then the line stays bridged).
  const actions = [...media.actions()];
  const end = run.end;
  const bridged = end.kind === 'transfer' && end.connected;
  if (!bridged && actions.at(-1)?.kind !== 'hangup') actions.push({ kind: 'hangup' });
  return { kind: 'ended', actions, run };
}
