import type { TemplateSettings } from '../../../core/template.js';
import type { Attempt } from '../../../store/repositories/attempts.js';
import { UF_GENDER, UF_LAST_CALL, UF_RESULT } from '../install/appBindings.js';
import type { EntityKind } from '../intake/crmRecords.js';
import type { PortalRecord } from '../store/portals.js';

/**
 * The fields a call updates on its deal or lead (C6): the result (the scenario's result, or the
 * outcome when the call produced none), the callee's gender when it was recognised (an unknown
 * never overwrites a known one), the time of the call, and the stage (deals) / status (leads) the
 * template maps this result — or outcome — to. Only fields created at install are written.
 */
export function dealFields(portal: PortalRecord, entity: EntityKind, a: Attempt, template: TemplateSettings | undefined): Record<string, unknown> | undefined {
  if (entity === 'contact') return undefined;
  const uf = portal.userFields[entity] ?? {};
  const fields: Record<string, unknown> = {};
  if (uf[UF_RESULT]) fields[UF_RESULT] = a.result ?? a.outcome ?? '';
  const genderItem = a.gender && a.gender !== 'unknown' ? uf[UF_GENDER]?.items?.[a.gender] : undefined;
  if (genderItem) fields[UF_GENDER] = genderItem;
  if (uf[UF_LAST_CALL]) fields[UF_LAST_CALL] = (a.endedAt ?? a.createdAt).toISOString();
  const crm = template?.crm?.bitrix24;
  const map = entity === 'deal' ? crm?.stageByResult : crm?.leadStatusByResult;
  const target = map && ((a.result ? map[a.result] : undefined) ?? (a.outcome ? map[a.outcome] : undefined));
  if (target) fields[entity === 'deal' ? 'STAGE_ID' : 'STATUS_ID'] = target;
  return Object.keys(fields).length ? fields : undefined;
}
