import { badRequest, conflict, notFound } from '../../core/errors.js';
import type { TemplateSettings } from '../../core/template.js';
import type { AppContext } from '../../context.js';
import type { ScenarioRun } from '../../scenario/interpreter.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { withTransaction } from '../../store/db.js';
import { findAttemptById, saveConversation, type Attempt } from '../../store/repositories/attempts.js';
import { appendInput, findDialogue, markDialogueFinished, pinScenario, startDialogue, type Dialogue } from '../../store/repositories/dialogues.js';
import { findVersioned, SCENARIOS } from '../../store/repositories/versioned.js';
import type { CallAction, DialogueInput, SpeechProfile, StepReply } from '../../voice/port.js';
import { scenarioVersion, templateVersion } from '../callVersions.js';
import { replayScenario, type ReplayResult } from './replay.js';
import { speechProfileOf } from './speechProfile.js';
import { pinRedirect, type RedirectPin } from './transferPlan.js';

/**
 * The interpreter's one entry point for every platform: `advance(attemptId, step, input)` stores
 * the input (once: a repeated step is answered from what is stored) and replays the scenario over
 * all inputs so far to find the next actions (src/engine/dialogue/replay.ts). When the scenario
 * ends, its result, answers and step log are saved before the actions go back, so the outcome that
 * follows the hang-up sees them. `finishDialogue` closes a dialogue the callee cut short.
 */
const HANG_UP: CallAction[] = [{ kind: 'hangup' }];

interface CallContext {
  attempt: Attempt;
  settings: TemplateSettings;
  graph: ScenarioGraph | undefined;
  speech: SpeechProfile;
}

async function loadCall(ctx: AppContext, attemptId: string): Promise<CallContext> {
  const attempt = await findAttemptById(ctx.db, attemptId);
  if (!attempt) throw notFound('attempt', attemptId);
  return callOf(ctx, attempt);
}

/** What a step needs besides the attempt: its template and scenario versions (cached per process). */
async function callOf(ctx: AppContext, attempt: Attempt): Promise<CallContext> {
  const settings = await templateVersion(ctx.db, attempt.templateVersionId);
  if (!settings) throw notFound('template', attempt.templateVersionId);
  const graph = (await scenarioVersion(ctx.db, attempt.scenarioVersionId))?.graph;
  const speech = speechProfileOf(attempt.platform, settings.voice, graph?.language ?? 'ru');
  return { attempt, settings, graph, speech };
}

export async function advanceDialogue(
  ctx: AppContext,
  attemptId: string,
  step: number,
  input: DialogueInput | undefined,
  o: { elapsedMs?: number | undefined } = {},
): Promise<StepReply> {
  if (!Number.isInteger(step) || step < 0) throw badRequest('errors.dialogue_step', { step });
  if (input && (step === 0) !== (input.kind === 'answered')) throw badRequest('errors.dialogue_step', { step });
  // The first step pins the transfer target, resolved before the transaction: it reads the
  // catalogue, and a PGlite transaction holds the only session. Later steps read the attempt once,
  // under the lock that serialises them.
  const first = step === 0 ? await loadCall(ctx, attemptId) : undefined;
  const pin: RedirectPin | undefined = first ? await pinRedirect(ctx.db, first.attempt.tenantId, first.settings) : undefined;

  let fresh = false;
  let attempt = first?.attempt;
  const dialogue = await withTransaction(ctx.db, async (tx) => {
    fresh = false;
    // The attempt row serialises the steps of one call across processes.
    if (first) {
      const locked = await tx.query<{ status: string }>('SELECT status FROM attempts WHERE id = $1 FOR UPDATE', [attemptId]);
      if (locked.rows[0]?.status === 'completed') return 'over' as const;
    } else {
      attempt = await findAttemptById(tx, attemptId, { forUpdate: true });
      if (!attempt) throw notFound('attempt', attemptId);
      if (attempt.status === 'completed') return 'over' as const;
    }
    const now = ctx.clock.now();
    let d = await findDialogue(tx, attemptId, { forUpdate: true });
    // Without an input only a step already taken can be re-read.
    if (!input) {
      if (!d || step >= d.inputs.length) throw conflict('errors.dialogue_out_of_step', { step, expected: d?.inputs.length ?? 0 });
      return d;
    }
    if (!d) {
      if (step !== 0) throw conflict('errors.dialogue_out_of_step', { step, expected: 0 });
      fresh = true;
      return (await startDialogue(tx, { attemptId, first: { input, atMs: 0 }, pins: { redirect: pin!.redirect, ...(pin!.transfer ? { transfer: pin!.transfer } : {}) }, answeredAt: now }))!;
    }
    if (step < d.inputs.length) return d; // a repeated step: answered from what is stored
    if (step > d.inputs.length) throw conflict('errors.dialogue_out_of_step', { step, expected: d.inputs.length });
    const atMs = o.elapsedMs ?? Math.max(0, now.getTime() - d.answeredAt.getTime());
    await appendInput(tx, attemptId, step, { input, atMs });
    fresh = true;
    d = { ...d, inputs: [...d.inputs, { input, atMs }] };
    return d;
  });
  const call = first ?? (await callOf(ctx, attempt!));
  if (dialogue === 'over') return { actions: HANG_UP, speech: call.speech };
  const log = ctx.log.child({ tenantId: call.attempt.tenantId, campaignId: call.attempt.campaignId, attemptId });

  const prefix = dialogue.inputs.slice(0, step + 1);
  const result = await replay(ctx, call, dialogue, prefix, undefined);
  // A step taken now (not a repeated webhook): the console's live transcript hears it.
  if (fresh && input && result && result.kind !== 'out_of_step') announceStep(ctx, call.attempt, input, result.actions, prefix[step]?.atMs ?? 0, log);
  if (result === undefined) return { actions: HANG_UP, speech: call.speech };
  if (result.kind === 'out_of_step') {
    log.error({ step, message: result.message }, 'dialogue: the reported inputs do not fit the scenario; hanging up');
    await saveRun(ctx, attemptId, result.run, `out_of_step: ${result.message}`);
    return { actions: HANG_UP, speech: call.speech };
  }
  if (result.kind === 'ended' && !dialogue.finished) await saveRun(ctx, attemptId, result.run, undefined);
  return { actions: withTemplateHints(result.actions, call.settings), speech: call.speech };
}

/**
 * The call is over (the callee hung up, a machine was detected, the platform cut it): the scenario
 * is replayed to where it waited and the conversation so far is saved. Idempotent. A call without
 * a dialogue still open (never answered, or a completed attempt) costs one read.
 */
export async function finishDialogue(ctx: AppContext, attemptId: string): Promise<void> {
  const dialogue = await findDialogue(ctx.db, attemptId);
  if (!dialogue || dialogue.finished) return;
  const call = await loadCall(ctx, attemptId);
  if (call.attempt.status === 'completed') return;
  const reason = call.attempt.amdVerdict === 'machine' ? 'machine_detected' : 'call_ended';
  const result = await replay(ctx, call, dialogue, dialogue.inputs, reason);
  // With a terminal reason a replay never suspends; nothing ran (a machine confirmed at answer).
  if (!result || result.kind === 'suspended') {
    await markDialogueFinished(ctx.db, attemptId);
    return;
  }
  await saveRun(ctx, attemptId, result.run, result.kind === 'out_of_step' ? `out_of_step: ${result.message}` : undefined);
}

async function replay(
  ctx: AppContext,
  call: CallContext,
  dialogue: Dialogue,
  inputs: Dialogue['inputs'],
  terminal: string | undefined,
): Promise<ReplayResult | undefined> {
  const first = inputs[0]?.input;
  // A machine confirmed before the bot spoke (blocking detection): nothing to say.
  if (first?.kind === 'answered' && first.amd === 'machine') {
    if (!dialogue.finished) await markDialogueFinished(ctx.db, call.attempt.id);
    return undefined;
  }
  if (!call.graph) {
    const run: ScenarioRun = {
      end: { kind: 'error', code: 'scenario_invalid', message: `scenario version ${call.attempt.scenarioVersionId}` },
      result: undefined,
      answers: {},
      vars: {},
      steps: [],
    };
    return { kind: 'ended', actions: HANG_UP, run };
  }
  const pins = dialogue.pins;
  const attempt = call.attempt;
  return replayScenario({
    graph: call.graph,
    vars: { ...attempt.variables, phone: attempt.phone, attempt: String(attempt.attemptNo) },
    redirect: pins.redirect ?? { kind: 'hangup' },
    inputs: inputs.slice(1),
    mapTransfer: () => pins.transfer,
    terminal,
    loadScenario: async (id) => {
      const pinned = pins.scenarios?.[id];
      if (pinned) return (await scenarioVersion(ctx.db, pinned))?.body;
      const current = await findVersioned<ScenarioGraph>(ctx.db, SCENARIOS, attempt.tenantId, id);
      if (current) await pinScenario(ctx.db, attempt.id, id, current.versionId);
      return current?.body;
    },
  });
}

async function saveRun(ctx: AppContext, attemptId: string, run: ScenarioRun, error: string | undefined): Promise<void> {
  const end = run.end;
  await saveConversation(ctx.db, attemptId, {
    result: run.result?.code ?? null,
    tags: run.result?.tags ?? [],
    answers: run.answers,
    steps: run.steps,
    transfer:
      end.kind === 'transfer'
        ? { target: end.target.kind === 'custom' ? end.target.target : end.target.kind === 'phone' ? end.target.number : end.target.directionId, connected: end.connected }
        : null,
    error: error ?? (end.kind === 'error' ? `${end.code}: ${end.message}` : null),
    redialAfterMinutes: run.result?.redialAfterMinutes ?? null,
  });
  await markDialogueFinished(ctx.db, attemptId);
}

/** The template's own speech hints join every question's hints. */
function withTemplateHints(actions: CallAction[], s: TemplateSettings): CallAction[] {
  const extra = s.voice?.speechHints ?? [];
  if (extra.length === 0) return actions;
  return actions.map((a) => ('listen' in a && a.listen ? { ...a, listen: { ...a.listen, hints: [...new Set([...a.listen.hints, ...extra])] } } : a));
}

/**
 * The console follows a call's dialogue as it happens: what the callee was heard to say, then what
 * the bot says next. Best effort: the attempt's stored steps stay the record; a line that could
 * not be announced is only missing from the live view.
 */
function announceStep(ctx: AppContext, a: Attempt, input: DialogueInput, actions: CallAction[], atMs: number, log: AppContext['log']): void {
  const lines: { who: 'bot' | 'callee'; text: string }[] = [];
  if (input.kind === 'heard') lines.push({ who: 'callee', text: input.text });
  for (const x of actions) if (x.kind === 'say') lines.push({ who: 'bot', text: x.text });
  const at = Math.round(atMs);
  ctx.events
    .publish(lines.map((l) => ({ type: 'transcript', tenantId: a.tenantId, attemptId: a.id, who: l.who, text: l.text, atMs: at })))
    .catch((err: unknown) => log.debug({ err }, 'live transcript lines not announced'));
}
