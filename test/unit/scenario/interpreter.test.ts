import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ResolvedRedirect } from '../../../src/scenario/elements/contract.js';
import { runScenario, type RunScenarioOptions, type ScenarioStep } from '../../../src/scenario/interpreter.js';
import { CallAbortedError, type TransferTarget } from '../../../src/scenario/media.js';
import { scenarioGraphSchema, type ScenarioGraph, type ScenarioGraphInput } from '../../../src/scenario/schema.js';
import { FakeMedia, type FakeMediaOptions } from './support/fakeMedia.js';

const fixture = (name: string): ScenarioGraph =>
  scenarioGraphSchema.parse(JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/good', name), 'utf8')));
const graphOf = (input: ScenarioGraphInput): ScenarioGraph => scenarioGraphSchema.parse(input);

const qualification = fixture('qualification-ru.json');

/** A step clock that advances 100 ms per reading, so timings are deterministic. */
function fakeClock() {
  let ms = 0;
  return () => (ms += 100);
}

function run(over: Partial<RunScenarioOptions> & { media?: FakeMedia; mediaOptions?: FakeMediaOptions } = {}) {
  const signal = over.signal ?? new AbortController().signal;
  const media = over.media ?? new FakeMedia({ signal, ...over.mediaOptions });
  const promise = runScenario({
    graph: qualification,
    vars: { name: 'Анна', product: 'тариф «Бизнес»', phone: '+79000000004', attempt: '1' },
    media,
    redirect: { kind: 'hangup' },
    signal,
    loadScenario: async () => undefined,
    elapsedMs: fakeClock(),
    ...over,
  });
  return { media, promise };
}

const path_ = (steps: ScenarioStep[]) => steps.map((s) => `${s.nodeId}${s.exit ? `:${s.exit}` : ''}`);

describe('runScenario: walking the graph', () => {
  it('follows the answer to the positive branch: steps, answer, variables, result and tags', async () => {
    const { media, promise } = run({ mediaOptions: { answers: ['Да, интересно'] } });
    const r = await promise;
    expect(r.end).toEqual({ kind: 'hangup' });
    expect(path_(r.steps)).toEqual(['start:next', 'hasName:true', 'greetByName:next', 'ask:yes', 'interested:next', 'byeYes']);
    expect(r.result).toEqual({ code: 'interested', tags: ['positive', 'hot'] });
    expect(r.answers).toEqual({ ask: { question: 'Вам интересно?', text: 'Да, интересно', branch: 'yes' } });
    expect(r.vars.answer).toBe('Да, интересно');
    expect(media.said).toEqual(['Здравствуйте, Анна! Звоню по поводу тариф «Бизнес».', 'Вам интересно?', 'Отлично, Анна!']);
    expect(media.hangups).toBe(1);
  });

  it('takes the other side of a condition and speaks fallbacks when a variable is empty', async () => {
    const { media, promise } = run({ vars: { product: 'тариф' }, mediaOptions: { answers: ['нет, не интересно'] } });
    const r = await promise;
    expect(path_(r.steps)).toEqual(['start:next', 'hasName:false', 'greet:next', 'ask:no', 'declined:next', 'byeNo']);
    expect(r.result).toEqual({ code: 'not_interested', tags: ['negative'] });
    expect(media.said[0]).toBe('Здравствуйте! Звоню по поводу тариф.');
    // A variable saved by an element is visible to the nodes after it.
    expect(media.said.at(-1)).toBe('Вы сказали: нет, не интересно. Спасибо, до свидания!');
  });

  it('records each step with its timing from the given clock and announces it', async () => {
    const announced: ScenarioStep[] = [];
    const { promise } = run({ mediaOptions: { answers: ['да'] }, onStep: (s) => announced.push(s) });
    const r = await promise;
    expect(announced).toEqual(r.steps);
    expect(r.steps[0]).toEqual({ nodeId: 'start', type: 'start', title: undefined, exit: 'next', detail: undefined, atMs: 100, durationMs: 100, scenario: 'Квалификация' });
    expect(r.steps.find((s) => s.nodeId === 'ask')).toMatchObject({ title: 'Интересно?', detail: 'да' });
  });

  it('does not change the variables it was given', async () => {
    const vars = { name: 'Анна', product: 'x' };
    const { promise } = run({ vars, mediaOptions: { answers: ['да'] } });
    const r = await promise;
    expect(vars).toEqual({ name: 'Анна', product: 'x' });
    expect(r.vars).toEqual({ name: 'Анна', product: 'x', answer: 'да' });
  });

  it('a later result replaces an earlier one', async () => {
    const graph = graphOf({
      name: 'Two results',
      nodes: [
        { id: 'start', type: 'start', exits: { next: 'a' } },
        { id: 'a', type: 'setResult', settings: { result: 'first', tags: ['x'] }, exits: { next: 'b' } },
        { id: 'b', type: 'setResult', settings: { result: 'second' }, exits: { next: 'bye' } },
        { id: 'bye', type: 'hangUp' },
      ],
    });
    expect((await run({ graph }).promise).result).toEqual({ code: 'second', tags: [] });
  });
});

describe('runScenario: how a call ends', () => {
  it('an unrecognised answer hands the call over by the template’s redirect', async () => {
    const target: TransferTarget = { kind: 'phone', number: '+74959898533' };
    const { media, promise } = run({
      redirect: { kind: 'transfer', target },
      mediaOptions: { answers: ['кто это', 'что?'], transfer: { connected: true, answeredBy: '+74959898533' } },
    });
    const r = await promise;
    expect(r.end).toEqual({ kind: 'transfer', target, connected: true });
    expect(path_(r.steps).slice(-2)).toEqual(['ask:noMatch', 'handOver']);
    expect(r.answers.ask).toMatchObject({ branch: 'noMatch', text: 'что?' });
    expect(media.transfers).toEqual([target]);
  });

  it('an optional exit left unconnected ends the call as completed', async () => {
    const { media, promise } = run({ graph: fixture('optional-exits-unconnected.json') });
    const r = await promise;
    expect(r.end).toEqual({ kind: 'completed' });
    expect(path_(r.steps)).toEqual(['start:next', 'ask:noInput']);
    expect(media.hangups).toBe(0);
  });

  it('a redirect to another scenario continues the call there, keeping variables and answers', async () => {
    const support = graphOf({
      name: 'Support bot',
      language: 'ru',
      variables: [{ name: 'name' }],
      nodes: [
        { id: 'start', type: 'start', exits: { next: 'say' } },
        { id: 'say', type: 'speak', settings: { text: 'Это бот поддержки, {name}.' }, exits: { next: 'mark' } },
        { id: 'mark', type: 'setResult', settings: { result: 'support' }, exits: { next: 'bye' } },
        { id: 'bye', type: 'hangUp' },
      ],
    });
    const requested: string[] = [];
    const redirect: ResolvedRedirect = { kind: 'scenario', scenarioId: 'support-id' };
    const { media, promise } = run({
      redirect,
      mediaOptions: { answers: ['э', 'а'] },
      loadScenario: async (id) => (requested.push(id), support),
    });
    const r = await promise;
    expect(requested).toEqual(['support-id']);
    expect(r.end).toEqual({ kind: 'hangup' });
    expect(r.steps.map((s) => `${s.scenario}/${s.nodeId}`).slice(-6)).toEqual([
      'Квалификация/ask',
      'Квалификация/handOver',
      'Support bot/start',
      'Support bot/say',
      'Support bot/mark',
      'Support bot/bye',
    ]);
    expect(r.result).toEqual({ code: 'support', tags: [] });
    expect(r.answers.ask).toBeDefined();
    expect(media.said).toContain('Это бот поддержки, Анна.');
  });

  it('a redirect to a scenario that is gone or broken ends with scenario_missing', async () => {
    const opts = { redirect: { kind: 'scenario', scenarioId: 'gone' } as const, mediaOptions: { answers: ['?', '?'] } };
    expect((await run({ ...opts, loadScenario: async () => undefined }).promise).end).toEqual({ kind: 'error', code: 'scenario_missing', message: 'gone' });
    const broken = { name: 'Broken', nodes: [{ id: 'bye', type: 'hangUp' }] } as unknown as ScenarioGraph;
    expect((await run({ ...opts, loadScenario: async () => broken }).promise).end).toMatchObject({ kind: 'error', code: 'scenario_missing' });
  });

  it('scenarios redirecting to each other forever stop after five switches', async () => {
    const bounce = graphOf({ name: 'Bounce', nodes: [{ id: 'start', type: 'start', exits: { next: 'away' } }, { id: 'away', type: 'transfer' }] });
    const loads: string[] = [];
    const r = await run({
      graph: bounce,
      redirect: { kind: 'scenario', scenarioId: 'bounce' },
      loadScenario: async (id) => (loads.push(id), bounce),
    }).promise;
    expect(r.end).toEqual({ kind: 'error', code: 'loop_limit', message: 'too many scenario switches' });
    expect(loads).toHaveLength(5);
  });

  it('a loop that keeps waiting for a silent callee stops at the step limit', async () => {
    const graph = graphOf({
      name: 'Patient',
      nodes: [
        { id: 'start', type: 'start', exits: { next: 'ask' } },
        { id: 'ask', type: 'ask', settings: { question: 'Hello?', retries: 0, branches: [{ id: 'yes', intent: 'yes' }] }, exits: { yes: 'bye', noInput: 'ask' } },
        { id: 'bye', type: 'hangUp' },
      ],
    });
    const r = await run({ graph, maxSteps: 10 }).promise;
    expect(r.end).toEqual({ kind: 'error', code: 'loop_limit', message: 'more than 10 steps' });
    expect(r.steps).toHaveLength(10);
  });

  it('an element that throws ends the call with element_failed, naming the node', async () => {
    const { promise } = run({ mediaOptions: { fail: { listen: new Error('recogniser crashed') } } });
    const r = await promise;
    expect(r.end).toEqual({ kind: 'error', code: 'element_failed', message: 'ask: recogniser crashed' });
    expect(r.steps.at(-1)).toMatchObject({ nodeId: 'ask', exit: 'error', detail: 'recogniser crashed' });
  });

  it('a node whose settings do not fit its element stops the call as scenario_invalid', async () => {
    const graph: ScenarioGraph = {
      name: 'Unchecked',
      description: '',
      language: 'en',
      variables: [],
      nodes: [
        { id: 'start', type: 'start', settings: {}, exits: { next: 'say' } },
        { id: 'say', type: 'speak', settings: { text: '' }, exits: {} },
      ],
    };
    const r = await run({ graph }).promise;
    expect(r.end).toEqual({ kind: 'error', code: 'scenario_invalid', message: 'node say' });
    const unknown: ScenarioGraph = { ...graph, nodes: [graph.nodes[0]!, { id: 'say', type: 'teleport', settings: {}, exits: {} }] };
    expect((await run({ graph: unknown }).promise).end).toEqual({ kind: 'error', code: 'scenario_invalid', message: 'node say' });
  });
});

describe('runScenario: interruption', () => {
  it('aborted while the bot is speaking: ends as aborted with the reason, and nothing is left pending', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['say'], onHold: () => call.abort(new CallAbortedError('callee_hangup')) });
    const r = await run({ signal: call.signal, media }).promise;
    expect(r.end).toEqual({ kind: 'aborted', reason: 'callee_hangup' });
    expect(path_(r.steps)).toEqual(['start:next', 'hasName:true', 'greetByName:aborted']);
    expect(r.result).toBeUndefined();
    expect(media.pending).toBe(0);
    expect(media.listeners).toBe(0);
  });

  it('aborted while waiting for the answer: the answer is not recorded', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['listen'], onHold: () => call.abort('machine_detected') });
    const r = await run({ signal: call.signal, media }).promise;
    expect(r.end).toEqual({ kind: 'aborted', reason: 'machine_detected' });
    expect(r.answers).toEqual({});
    expect(media.pending).toBe(0);
  });

  it('aborted between two elements: the next element never starts', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal });
    const r = await run({
      signal: call.signal,
      media,
      onStep: (s) => s.nodeId === 'hasName' && call.abort(new CallAbortedError('operator_takeover')),
    }).promise;
    expect(r.end).toEqual({ kind: 'aborted', reason: 'operator_takeover' });
    expect(path_(r.steps)).toEqual(['start:next', 'hasName:true']);
    expect(media.said).toEqual([]);
  });

  it('a call aborted before the scenario starts runs nothing', async () => {
    const call = new AbortController();
    call.abort();
    const r = await run({ signal: call.signal }).promise;
    expect(r.end).toEqual({ kind: 'aborted', reason: 'aborted' });
    expect(r.steps).toEqual([]);
  });
});
