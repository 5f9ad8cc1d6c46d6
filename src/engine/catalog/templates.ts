import { conflict, notFound, validationFailed } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { templateSettingsSchema, type TemplateSettings } from '../../core/template.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { withTransaction } from '../../store/db.js';
import {
  appendVersion,
  findVersioned,
  insertVersioned,
  SCENARIOS,
  softDeleteVersioned,
  TEMPLATES,
  type Versioned,
} from '../../store/repositories/versioned.js';
import { missingReferences, withUniqueName } from './references.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { checkTemplateVoice } from '../../voice/checkTemplateVoice.js';
import { platformNameOf } from '../voicePlatformFor.js';

export type Template = Versioned<TemplateSettings>;

/** Validates a template's settings and everything they point at; returns them normalised. */
async function checkTemplate(ctx: AppContext, tenantId: string, input: unknown): Promise<TemplateSettings> {
  const s = parseInput(templateSettingsSchema, input);
  const refs: Parameters<typeof missingReferences>[2] = [{ path: 'scenarioId', table: 'scenarios', id: s.scenarioId }];
  if (s.amd.greetingId) refs.push({ path: 'amd.greetingId', table: 'media', id: s.amd.greetingId, extra: ` AND kind = 'greeting'` });
  if (s.callerId.mode === 'group') refs.push({ path: 'callerId.groupId', table: 'caller_id_groups', id: s.callerId.groupId });
  if (s.dialPlan.mode === 'custom') refs.push({ path: 'dialPlan.dialPlanId', table: 'dial_plans', id: s.dialPlan.dialPlanId });
  if (s.redirect.mode === 'dialPlan') refs.push({ path: 'redirect.dialPlanId', table: 'dial_plans', id: s.redirect.dialPlanId });
  if (s.redirect.mode === 'direction') refs.push({ path: 'redirect.directionId', table: 'transfer_directions', id: s.redirect.directionId });
  if (s.redirect.mode === 'scenario') refs.push({ path: 'redirect.scenarioId', table: 'scenarios', id: s.redirect.scenarioId });
  if (s.redial.mode === 'set') refs.push({ path: 'redial.setId', table: 'redial_rule_sets', id: s.redial.setId });
  const issues = await missingReferences(ctx.db, tenantId, refs);
  if (issues.length) throw validationFailed(issues);
  // What the template asks of its voice platform, against what that platform can do.
  const platform = platformNameOf(ctx, s);
  const scenario = await findVersioned<ScenarioGraph>(ctx.db, SCENARIOS, tenantId, s.scenarioId);
  const voiceIssues = checkTemplateVoice(s, { platform, configured: ctx.voice.get(platform) !== undefined, scenarioLanguage: scenario?.body.language ?? 'ru' });
  if (voiceIssues.length) throw validationFailed(voiceIssues);
  // Stored numbers are E.164, whatever format the admin typed.
  if (s.callerId.mode === 'number') {
    const n = normalizePhone(s.callerId.number, s.country);
    if (n.ok) s.callerId = { mode: 'number', number: n.e164 };
  }
  return s;
}

export async function createTemplate(ctx: AppContext, tenantId: string, userId: string | null, input: unknown): Promise<Template> {
  const settings = await checkTemplate(ctx, tenantId, input);
  return withUniqueName(settings.name, () =>
    withTransaction(ctx.db, async (tx) => {
      const t = await insertVersioned(tx, TEMPLATES, { tenantId, name: settings.name, body: settings, createdBy: userId });
      for (const hook of ctx.hooks.templateChanged) await hook(tx, { tenantId, templateId: t.id, name: t.name, kind: 'created' });
      return t;
    }),
  );
}

export async function updateTemplate(
  ctx: AppContext,
  tenantId: string,
  userId: string | null,
  id: string,
  input: unknown,
  expectedVersion?: number,
): Promise<Template> {
  const settings = await checkTemplate(ctx, tenantId, input);
  return withUniqueName(settings.name, () =>
    withTransaction(ctx.db, async (tx) => {
      const r = await appendVersion(tx, TEMPLATES, { tenantId, id, name: settings.name, body: settings, createdBy: userId, expectedVersion });
      if (r === 'not_found') throw notFound('template', id);
      if (r === 'stale') throw conflict('errors.stale_version', { expected: expectedVersion });
      for (const hook of ctx.hooks.templateChanged) await hook(tx, { tenantId, templateId: id, name: r.name, kind: 'updated' });
      return r;
    }),
  );
}

export async function deleteTemplate(ctx: AppContext, tenantId: string, id: string): Promise<void> {
  await withTransaction(ctx.db, async (tx) => {
    const t = await findVersioned<TemplateSettings>(tx, TEMPLATES, tenantId, id);
    if (!t || !(await softDeleteVersioned(tx, TEMPLATES, tenantId, id))) throw notFound('template', id);
    for (const hook of ctx.hooks.templateChanged) await hook(tx, { tenantId, templateId: id, name: t.name, kind: 'deleted' });
  });
}
