import { conflict, DomainError, notFound, validationFailed, type FieldIssue } from '../core/errors.js';
import { normalizePhone } from '../core/phone.js';
import type { TemplateSettings } from '../core/template.js';
import type { AppContext } from '../context.js';
import type { ScenarioGraph } from '../scenario/schema.js';
import { validateScenario } from '../scenario/validate.js';
import { newId } from '../store/ids.js';
import { findAttemptById, insertAttempt, markDialing, type Attempt } from '../store/repositories/attempts.js';
import { findVersioned, SCENARIOS, TEMPLATES } from '../store/repositories/versioned.js';
import { VoicePlatformError } from '../voice/port.js';
import { withTransaction } from '../store/db.js';
import { closeAttempt, withoutCall } from './closeAttempt.js';
import { voicePlatformFor } from './voicePlatformFor.js';
import { pickCallerId, prepareCall } from './prepareCall.js';

export interface TestCallInput {
  tenantId: string;
  userId: string | null;
  templateId: string;
  phone: string;
  variables: Record<string, string>;
}

/**
 * A single test call with a template to any number: the attempt is stored first (so nothing is
 * lost if the platform call fails), then handed to the voice platform.
 */
export async function placeTestCall(ctx: AppContext, input: TestCallInput): Promise<Attempt> {
  const template = await findVersioned<TemplateSettings>(ctx.db, TEMPLATES, input.tenantId, input.templateId);
  if (!template) throw notFound('template', input.templateId);
  const settings = template.body;
  const scenario = await findVersioned<ScenarioGraph>(ctx.db, SCENARIOS, input.tenantId, settings.scenarioId);
  if (!scenario) throw conflict('errors.template_scenario_missing', { template: template.name });
  const checked = validateScenario(scenario.body);
  if (!checked.ok) throw new DomainError('conflict', 'errors.scenario_invalid', { scenario: scenario.name }, checked.issues);

  const issues: FieldIssue[] = [];
  const phone = normalizePhone(input.phone, settings.country);
  if (!phone.ok) issues.push({ path: 'phone', key: `phone.${phone.reason}`, params: { value: input.phone } });
  for (const v of checked.graph.variables) {
    if (v.required && !input.variables[v.name]?.trim()) issues.push({ path: `variables.${v.name}`, key: 'validation.variable_required', params: { variable: v.name } });
  }
  if (issues.length || !phone.ok) throw validationFailed(issues);

  const platform = voicePlatformFor(ctx, settings);
  const attemptId = newId();
  const callerId = await pickCallerId(ctx.db, input.tenantId, settings);
  const attempt = await insertAttempt(ctx.db, {
    id: attemptId,
    tenantId: input.tenantId,
    kind: 'test',
    campaignId: null,
    numberId: null,
    attemptNo: 1,
    phone: phone.e164,
    templateId: template.id,
    templateVersionId: template.versionId,
    scenarioVersionId: scenario.versionId,
    variables: input.variables,
    platform: platform.name,
    callerId: callerId ?? null,
    createdBy: input.userId,
    createdAt: ctx.clock.now(),
  });
  const req = await prepareCall(ctx, { attemptId, tenantId: input.tenantId, to: phone.e164, settings, language: checked.graph.language, callerId });
  try {
    const placed = await platform.placeCall(req);
    await markDialing(ctx.db, attemptId, { providerCallId: placed.providerCallId, platformData: placed.platformData, callerId: callerId ?? null, at: ctx.clock.now() });
  } catch (e) {
    ctx.log.warn({ err: e, attemptId, platform: platform.name }, 'test call: the voice platform did not take the call');
    const message = e instanceof VoicePlatformError ? e.message : 'voice platform error';
    await withTransaction(ctx.db, (tx) =>
      closeAttempt(ctx, tx, attemptId, withoutCall({ outcome: 'failed', error: message, at: ctx.clock.now(), technical: true, consumed: false })),
    );
    const failed = (await findAttemptById(ctx.db, attemptId))!;
    for (const fn of ctx.hooks.afterAttemptCompleted) fn(failed);
    throw new DomainError('voice_platform_failed', 'errors.voice_platform_failed', { reason: message }, [], { attemptId });
  }
  return (await findAttemptById(ctx.db, attemptId)) ?? attempt;
}
