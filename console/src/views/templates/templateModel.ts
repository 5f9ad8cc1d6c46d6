import type { TemplateSettings } from '../../api/types';

/**
 * The template form's state: every choice of a discriminated setting (dial plan, caller ID,
 * redirect, redial) keeps its own fields, so switching a mode back and forth loses nothing typed;
 * `toSettings` builds the stored shape the API validates.
 */
export const REDIAL_EVENTS = ['busy', 'noAnswer', 'machine', 'short', 'failure'] as const;
export type RedialEventKey = (typeof REDIAL_EVENTS)[number];

export interface RuleForm {
  on: boolean;
  delayMinutes: number;
  from: 'start' | 'answer';
  maxCount: number;
}

export interface TemplateForm {
  name: string;
  description: string;
  scenarioId: string;
  dialPlanMode: 'default' | 'custom';
  dialPlanId: string;
  amdMode: 'off' | 'background' | 'blocking';
  greetingId: string;
  callerIdMode: 'default' | 'group' | 'number';
  callerIdGroupId: string;
  callerIdNumber: string;
  redirectMode: 'hangup' | 'dialPlan' | 'direction' | 'custom' | 'scenario';
  redirectDialPlanId: string;
  redirectNumber: string;
  redirectDirectionId: string;
  redirectTarget: string;
  redirectScenarioId: string;
  intensity: number;
  windowFrom: string;
  windowTo: string;
  ineffectiveSec: number;
  shortCallSec: number;
  country: string;
  genderDetection: boolean;
  redialMode: 'none' | 'inline' | 'set';
  redialSetId: string;
  rules: Record<RedialEventKey, RuleForm>;
  /** Kept as is (edited in the CRM section). */
  crm: TemplateSettings['crm'];
}

const defaultRule = (): RuleForm => ({ on: false, delayMinutes: 30, from: 'start', maxCount: 2 });

export function emptyForm(scenarioId = ''): TemplateForm {
  return {
    name: '',
    description: '',
    scenarioId,
    dialPlanMode: 'default',
    dialPlanId: '',
    amdMode: 'off',
    greetingId: '',
    callerIdMode: 'default',
    callerIdGroupId: '',
    callerIdNumber: '',
    redirectMode: 'hangup',
    redirectDialPlanId: '',
    redirectNumber: '',
    redirectDirectionId: '',
    redirectTarget: '',
    redirectScenarioId: '',
    intensity: 1,
    windowFrom: '09:00',
    windowTo: '21:00',
    ineffectiveSec: 10,
    shortCallSec: 5,
    country: 'RU',
    genderDetection: false,
    redialMode: 'none',
    redialSetId: '',
    rules: Object.fromEntries(REDIAL_EVENTS.map((e) => [e, defaultRule()])) as Record<RedialEventKey, RuleForm>,
    crm: undefined,
  };
}

export function fromSettings(s: TemplateSettings): TemplateForm {
  const f = emptyForm(s.scenarioId);
  f.name = s.name;
  f.description = s.description;
  if (s.dialPlan.mode === 'custom') {
    f.dialPlanMode = 'custom';
    f.dialPlanId = s.dialPlan.dialPlanId;
  }
  f.amdMode = s.amd.mode;
  f.greetingId = s.amd.greetingId ?? '';
  f.callerIdMode = s.callerId.mode;
  if (s.callerId.mode === 'group') f.callerIdGroupId = s.callerId.groupId;
  if (s.callerId.mode === 'number') f.callerIdNumber = s.callerId.number;
  f.redirectMode = s.redirect.mode;
  if (s.redirect.mode === 'dialPlan') {
    f.redirectDialPlanId = s.redirect.dialPlanId;
    f.redirectNumber = s.redirect.number;
  }
  if (s.redirect.mode === 'direction') f.redirectDirectionId = s.redirect.directionId;
  if (s.redirect.mode === 'custom') f.redirectTarget = s.redirect.target;
  if (s.redirect.mode === 'scenario') f.redirectScenarioId = s.redirect.scenarioId;
  f.intensity = s.intensity;
  f.windowFrom = s.callingWindow.from;
  f.windowTo = s.callingWindow.to;
  f.ineffectiveSec = s.ineffectiveSec;
  f.shortCallSec = s.shortCallSec;
  f.country = s.country;
  f.genderDetection = s.genderDetection;
  f.redialMode = s.redial.mode;
  if (s.redial.mode === 'set') f.redialSetId = s.redial.setId;
  if (s.redial.mode === 'inline') {
    for (const e of REDIAL_EVENTS) {
      const r = s.redial.rules[e];
      if (r) f.rules[e] = { on: true, delayMinutes: r.delayMinutes, from: r.from, maxCount: r.maxCount };
    }
  }
  f.crm = s.crm;
  return f;
}

/** The stored shape (the API validates it and answers with paths such as `redial.rules.busy.maxCount`). */
export function toSettings(f: TemplateForm): Record<string, unknown> {
  const rules = Object.fromEntries(
    REDIAL_EVENTS.filter((e) => f.rules[e].on).map((e) => [e, { delayMinutes: Number(f.rules[e].delayMinutes), from: f.rules[e].from, maxCount: Number(f.rules[e].maxCount) }]),
  );
  return {
    name: f.name.trim(),
    description: f.description.trim(),
    scenarioId: f.scenarioId,
    dialPlan: f.dialPlanMode === 'custom' ? { mode: 'custom', dialPlanId: f.dialPlanId } : { mode: 'default' },
    amd: { mode: f.amdMode, greetingId: f.amdMode !== 'off' && f.greetingId ? f.greetingId : null },
    callerId:
      f.callerIdMode === 'group' ? { mode: 'group', groupId: f.callerIdGroupId } : f.callerIdMode === 'number' ? { mode: 'number', number: f.callerIdNumber.trim() } : { mode: 'default' },
    redirect:
      f.redirectMode === 'dialPlan'
        ? { mode: 'dialPlan', dialPlanId: f.redirectDialPlanId, number: f.redirectNumber.trim() }
        : f.redirectMode === 'direction'
          ? { mode: 'direction', directionId: f.redirectDirectionId }
          : f.redirectMode === 'custom'
            ? { mode: 'custom', target: f.redirectTarget.trim() }
            : f.redirectMode === 'scenario'
              ? { mode: 'scenario', scenarioId: f.redirectScenarioId }
              : { mode: 'hangup' },
    intensity: Number(f.intensity),
    callingWindow: { from: f.windowFrom, to: f.windowTo },
    ineffectiveSec: Number(f.ineffectiveSec),
    shortCallSec: Number(f.shortCallSec),
    country: f.country.trim().toUpperCase(),
    genderDetection: f.genderDetection,
    redial: f.redialMode === 'set' ? { mode: 'set', setId: f.redialSetId } : f.redialMode === 'inline' ? { mode: 'inline', rules } : { mode: 'none' },
    ...(f.crm ? { crm: f.crm } : {}),
  };
}
