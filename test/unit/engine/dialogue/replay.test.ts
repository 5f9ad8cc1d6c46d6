import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../../src/engine/dialogue/replay.js';
import type { TimedInput } from '../../../../src/engine/dialogue/replayMedia.js';
import { translator } from '../../../../src/i18n.js';
import type { ScenarioGraph } from '../../../../src/scenario/schema.js';
import { starterScenario } from '../../../../src/scenario/starter.js';
import { validateScenario } from '../../../../src/scenario/validate.js';
import type { CallAction } from '../../../../src/voice/port.js';

const t = translator('en');
const checked = validateScenario(starterScenario(t, 'en'));
if (!checked.ok) throw new Error('starter scenario invalid');
const graph: ScenarioGraph = checked.graph;
const TRANSFER: Extract<CallAction, { kind: 'transfer' }> = { kind: 'transfer', to: ['+79990000001'], strategy: 'sequential', ringTimeoutSec: 20, trunk: undefined };

function replay(inputs: TimedInput[], o: { terminal?: string; transfer?: boolean; vars?: Record<string, string> } = {}) {
  return replayScenario({
    graph,
    vars: o.vars ?? { name: 'Anna' },
    redirect: o.transfer === false ? { kind: 'hangup' } : { kind: 'transfer', target: { kind: 'phone', number: '+79990000001' } },
    inputs,
    mapTransfer: () => (o.transfer === false ? undefined : TRANSFER),
    loadScenario: async () => undefined,
    terminal: o.terminal,
  });
}
const heard = (text: string, atMs = 1000): TimedInput => ({ input: { kind: 'heard', text }, atMs });

describe('replaying the starter scenario over the inputs reported so far', () => {
  it('first step: greets, asks, and listens after the question (one batch, the listen on the last prompt)', async () => {
    const r = await replay([]);
    expect(r.kind).toBe('suspended');
    const actions = r.kind === 'suspended' ? r.actions : [];
    expect(actions.map((a) => a.kind)).toEqual(['say', 'say']);
    expect(actions[0]).toMatchObject({ kind: 'say', text: expect.stringContaining('Anna') });
    expect(actions[0]).not.toHaveProperty('listen');
    const last = actions[1] as Extract<CallAction, { kind: 'say' }>;
    expect(last.listen).toMatchObject({ speech: true, dtmf: true, timeoutSec: 5, maxDigits: 1 });
    expect(last.listen!.hints).toEqual(expect.arrayContaining(['yes', 'no']));
    expect(last.listen!.expect.map((b) => b.id)).toEqual(['yes', 'no', 'later']);
  });

  it('an answer "yes" ends the scenario: goodbye then hang-up, with the result and the answer', async () => {
    const r = await replay([heard('yes, sure', 4200)]);
    expect(r.kind).toBe('ended');
    if (r.kind !== 'ended') return;
    expect(r.actions.map((a) => a.kind)).toEqual(['say', 'hangup']);
    expect(r.run.result).toMatchObject({ code: 'interested', tags: ['positive'] });
    expect(r.run.answers.askInterest).toMatchObject({ text: 'yes, sure', branch: 'yes' });
    // Step times come from the inputs, so every replay reports the same log.
    expect(r.run.steps.find((s) => s.nodeId === 'askInterest')).toMatchObject({ atMs: 0, durationMs: 4200 });
  });

  it('replay is exact: the same inputs always give the same actions and log', async () => {
    const a = await replay([heard(''), heard('not now', 9000)]);
    const b = await replay([heard(''), heard('not now', 9000)]);
    expect(a).toEqual(b);
  });

  it('silence: the reprompt is asked next, then an unclear answer transfers to the operator', async () => {
    const second = await replay([heard('')]);
    expect(second.kind).toBe('suspended');
    if (second.kind === 'suspended') expect(second.actions).toEqual([expect.objectContaining({ kind: 'say', text: t('starter.reprompt'), listen: expect.anything() })]);
    const third = await replay([heard(''), heard('hmm')]);
    expect(third.kind).toBe('suspended');
    if (third.kind === 'suspended') expect(third.actions.map((a) => a.kind)).toEqual(['say', 'transfer']);
  });

  it('a transfer that connected leaves the line bridged (no actions); one that failed hangs up', async () => {
    const connected = await replay([heard(''), heard('hmm'), { input: { kind: 'transferred', connected: true, result: 'answered' }, atMs: 20_000 }]);
    expect(connected).toMatchObject({ kind: 'ended', actions: [] });
    if (connected.kind === 'ended') expect(connected.run.end).toMatchObject({ kind: 'transfer', connected: true });
    const busy = await replay([heard(''), heard('hmm'), { input: { kind: 'transferred', connected: false, result: 'busy' }, atMs: 20_000 }]);
    expect(busy).toMatchObject({ kind: 'ended', actions: [{ kind: 'hangup' }] });
  });

  it('nothing dialable: the transfer is "not connected" at once and the call hangs up', async () => {
    const r = await replay([heard(''), heard('hmm')], { transfer: false });
    expect(r.kind).toBe('ended');
    if (r.kind === 'ended') expect(r.actions.at(-1)).toEqual({ kind: 'hangup' });
  });

  it('a key press answers the question: key 1 takes the first branch', async () => {
    const r = await replay([{ input: { kind: 'heard', text: '', dtmf: '1' }, atMs: 3000 }]);
    expect(r.kind).toBe('ended');
    if (r.kind === 'ended') expect(r.run.answers.askInterest?.branch).toBe('yes');
    const two = await replay([{ input: { kind: 'heard', text: '', dtmf: '2' }, atMs: 3000 }]);
    if (two.kind === 'ended') expect(two.run.answers.askInterest?.branch).toBe('no');
  });

  it('the callee hung up while asked: the run ends there, aborted, keeping what was said', async () => {
    const r = await replay([heard('')], { terminal: 'call_ended' });
    expect(r.kind).toBe('ended');
    if (r.kind !== 'ended') return;
    expect(r.run.end).toEqual({ kind: 'aborted', reason: 'call_ended' });
    expect(r.run.steps.at(-1)).toMatchObject({ nodeId: 'askInterest', exit: 'aborted' });
    expect(r.run.result).toBeUndefined();
  });

  it('inputs that do not fit the scenario are reported, not guessed', async () => {
    const r = await replay([{ input: { kind: 'transferred', connected: true, result: 'answered' }, atMs: 10 }]);
    expect(r.kind).toBe('out_of_step');
    const extra = await replay([heard('yes'), heard('and more')]);
    expect(extra.kind).toBe('out_of_step');
  });
});
