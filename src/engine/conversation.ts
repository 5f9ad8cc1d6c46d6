import type { TemplateSettings } from '../core/template.js';
import type { AppContext } from '../context.js';
import { runScenario, type ScenarioRun } from '../scenario/interpreter.js';
import type { CallMedia } from '../scenario/media.js';
import type { ScenarioGraph } from '../scenario/schema.js';
import { validateScenario } from '../scenario/validate.js';
import { findAttemptById, saveConversation } from '../store/repositories/attempts.js';
import { findVersionById, findVersioned, SCENARIOS, TEMPLATES } from '../store/repositories/versioned.js';
import type { ConversationHost } from '../voice/port.js';
import { tapTranscript } from './events/transcriptTap.js';
import { resolveRedirect } from './resolveRedirect.js';

/**
 * The engine's side of a live call: loads exactly the template and scenario versions the attempt
 * was created with, runs the scenario on the platform's media, and stores what was said and
 * decided before the call is allowed to end (so the outcome sees the result).
 */
export function conversationHost(ctx: AppContext): ConversationHost {
  return {
    async converse(attemptId: string, media: CallMedia, signal: AbortSignal): Promise<void> {
      const attempt = await findAttemptById(ctx.db, attemptId);
      if (!attempt) throw new Error(`attempt ${attemptId} not found`);
      const template = await findVersionById<TemplateSettings>(ctx.db, TEMPLATES, attempt.templateVersionId);
      const scenario = await findVersionById<ScenarioGraph>(ctx.db, SCENARIOS, attempt.scenarioVersionId);
      const checked = scenario ? validateScenario(scenario.body) : undefined;
      let run: ScenarioRun;
      if (!template || !checked?.ok) {
        run = {
          end: { kind: 'error', code: 'scenario_invalid', message: `scenario version ${attempt.scenarioVersionId}` },
          result: undefined,
          answers: {},
          vars: {},
          steps: [],
        };
      } else {
        const settings = template.body;
        const started = Date.now();
        run = await runScenario({
          graph: checked.graph,
          vars: { ...attempt.variables, phone: attempt.phone, attempt: String(attempt.attemptNo) },
          media: tapTranscript(media, { db: ctx.db, tenantId: attempt.tenantId, attemptId, log: ctx.log, elapsedMs: () => Date.now() - started }),
          redirect: await resolveRedirect(ctx.db, attempt.tenantId, settings.redirect, settings.country),
          signal,
          loadScenario: async (id) => (await findVersioned<ScenarioGraph>(ctx.db, SCENARIOS, attempt.tenantId, id))?.body,
        });
      }
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
        error: end.kind === 'error' ? `${end.code}: ${end.message}` : null,
        redialAfterMinutes: run.result?.redialAfterMinutes ?? null,
      });
      if (end.kind === 'completed' || end.kind === 'error') await media.hangup();
    },
  };
}
