import type { TemplateSettings } from '../../../core/template.js';
import { t, type Locale } from '../../../i18n.js';
import type { Attempt } from '../../../store/repositories/attempts.js';
import { answersText } from '../../shared/callTexts.js';
import type { AccountSettings } from '../accountSettings.js';
import type { LeadPatch } from '../api/client.js';
import type { AmoLead } from '../api/models.js';
import type { ContactRef } from '../intake/contactRef.js';
import { callTags, outcomeText } from './callTexts.js';

/**
 * The lead's update for one call (C6): tags with `tags_to_add` only (the lead's other tags stay,
 * gotcha 8); the custom fields the administrator chose (their types were checked when chosen,
 * gotcha 9): the result (or the outcome when the call produced none), the gender when recognised
 * (an unknown never overwrites a known one), the answers; and the stage the template maps the
 * result or outcome to — only if the lead, read again just before, is still in the stage it was in
 * when it was taken (gotcha 19).
 */
export function fieldValues(lng: Locale, s: AccountSettings, a: Attempt): NonNullable<LeadPatch['custom_fields_values']> {
  const out: NonNullable<LeadPatch['custom_fields_values']> = [];
  const f = s.fields;
  if (f.result) out.push({ field_id: f.result.fieldId, values: [{ value: a.result ?? outcomeText(lng, a.outcome) }] });
  if (f.gender && (a.gender === 'female' || a.gender === 'male')) {
    const item = f.gender[a.gender];
    out.push({ field_id: f.gender.fieldId, values: [item ? { enum_id: item } : { value: t(lng, `amocrm.gender.${a.gender}`) }] });
  }
  const answers = answersText(a);
  if (f.answers && answers) out.push({ field_id: f.answers.fieldId, values: [{ value: answers }] });
  return out;
}

/** The stage to move to for this call, if the template maps its result or outcome to one. */
export function targetStage(template: TemplateSettings | undefined, a: Attempt): { pipelineId: number; statusId: number } | undefined {
  const map = template?.crm?.amocrm?.statusByResult;
  if (!map) return undefined;
  return (a.result ? map[a.result] : undefined) ?? (a.outcome ? map[a.outcome] : undefined);
}

/** Whether to move a lead read just now: still where it was taken, and not already there. */
export function shouldMove(lead: AmoLead | null, ref: ContactRef, target: { pipelineId: number; statusId: number }): boolean {
  if (!lead) return false;
  if (lead.status_id === target.statusId && lead.pipeline_id === target.pipelineId) return false;
  return !ref.stage || (lead.status_id === ref.stage.statusId && lead.pipeline_id === ref.stage.pipelineId);
}

export function leadPatch(lng: Locale, s: AccountSettings, a: Attempt, leadId: number, o: { fields: boolean; move?: { pipelineId: number; statusId: number } }): LeadPatch {
  const patch: LeadPatch = { id: leadId, tags_to_add: callTags(lng, a).map((name) => ({ name })) };
  const values = o.fields ? fieldValues(lng, s, a) : [];
  if (values.length) patch.custom_fields_values = values;
  if (o.move) {
    patch.pipeline_id = o.move.pipelineId;
    patch.status_id = o.move.statusId;
  }
  return patch;
}
