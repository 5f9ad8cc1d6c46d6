import type { ResolvedRedirect } from '@server/scenario/elements/contract';
import { runScenario, type ScenarioRun, type ScenarioStep } from '@server/scenario/interpreter';
import { CallAbortedError, type CallMedia, type Heard, type TransferResult, type TransferTarget } from '@server/scenario/media';
import type { ScenarioGraph } from '@server/scenario/schema';
import { validateScenario } from '@server/scenario/validate';

/**
 * "Simulate": the scenario played in the browser by the same interpreter the calls use
 * (`runScenario` from src/scenario, bundled as is), on a stand-in for the call whose `say` shows the
 * bot's line and whose `listen` waits for the answer typed (or spoken into the browser, as text)
 * by the person simulating. No call is placed. Each step says which exit — which branch — the
 * element took, so the path an answer takes through the graph is visible.
 */
export type SimEvent =
  | { kind: 'say'; text: string; nodeId: string }
  | { kind: 'listen'; nodeId: string; hints: string[] }
  | { kind: 'heard'; text: string; nodeId: string }
  | { kind: 'step'; step: ScenarioStep; next: string | null }
  | { kind: 'transfer'; target: TransferTarget }
  | { kind: 'hangup' }
  | { kind: 'end'; run: ScenarioRun }
  | { kind: 'invalid' };

export interface SimulationOptions {
  graph: ScenarioGraph;
  vars: Record<string, string>;
  /** What the template's redirect would do when the scenario hands the call over. */
  redirect: ResolvedRedirect;
  /** Other scenarios, when the redirect switches to one. */
  loadScenario?(id: string): Promise<ScenarioGraph | undefined>;
  onEvent(e: SimEvent): void;
}

export class Simulation {
  private readonly abort = new AbortController();
  private waiting: ((h: Heard) => void) | null = null;
  /** The node the call is at now (what the graph highlights). */
  current: string | null;
  finished = false;

  constructor(private readonly o: SimulationOptions) {
    this.current = o.graph.nodes.find((n) => n.type === 'start')?.id ?? null;
  }

  /** Waiting for the callee's answer (the input is enabled). */
  get listening(): boolean {
    return this.waiting !== null;
  }

  async run(): Promise<ScenarioRun | undefined> {
    const checked = validateScenario(this.o.graph);
    if (!checked.ok) {
      this.o.onEvent({ kind: 'invalid' });
      this.finished = true;
      return undefined;
    }
    const graph = checked.graph;
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    const media: CallMedia = {
      say: async (text) => {
        this.o.onEvent({ kind: 'say', text, nodeId: this.current ?? '' });
        this.check();
      },
      listen: (opts) =>
        new Promise<Heard>((resolve, reject) => {
          this.check();
          this.o.onEvent({ kind: 'listen', nodeId: this.current ?? '', hints: opts.hints });
          const onAbort = () => reject(new CallAbortedError('simulation stopped'));
          this.abort.signal.addEventListener('abort', onAbort, { once: true });
          this.waiting = (h) => {
            this.abort.signal.removeEventListener('abort', onAbort);
            this.waiting = null;
            this.o.onEvent({ kind: 'heard', text: h.text, nodeId: this.current ?? '' });
            resolve(h);
          };
        }),
      transfer: async (target): Promise<TransferResult> => {
        this.o.onEvent({ kind: 'transfer', target });
        return { connected: true, answeredBy: target.kind === 'phone' ? target.number : target.kind === 'custom' ? target.target : target.directionId };
      },
      hangup: async () => {
        this.o.onEvent({ kind: 'hangup' });
      },
    };
    const run = await runScenario({
      graph,
      vars: { phone: '+79000000000', attempt: '1', ...this.o.vars },
      media,
      redirect: this.o.redirect,
      signal: this.abort.signal,
      loadScenario: async (id) => (this.o.loadScenario ? this.o.loadScenario(id) : undefined),
      onStep: (step) => {
        const next = step.exit ? (nodes.get(step.nodeId)?.exits[step.exit] ?? null) : null;
        this.current = next;
        this.o.onEvent({ kind: 'step', step, next });
      },
    });
    this.finished = true;
    this.waiting = null;
    this.o.onEvent({ kind: 'end', run });
    return run;
  }

  /** The callee's answer (empty = silence until the question's timeout). */
  answer(text: string): void {
    this.waiting?.({ text });
  }

  stop(): void {
    this.abort.abort(new CallAbortedError('simulation stopped'));
  }

  private check(): void {
    if (this.abort.signal.aborted) throw new CallAbortedError('simulation stopped');
  }
}
