import fs from 'node:fs';
import { sourcePath } from '../../appFiles.js';
import type { VoximplantConfig } from '../voiceConfig.js';
import type { VoximplantApi } from './managementApi.js';

/**
 * `npm run cli -- voice-setup voximplant`: prepares the account idempotently — the application
 * (with secure record storage), Dozvon's scenario (uploaded, or updated when its text changed) and
 * the rule StartScenarios launches — and reports what it did. Running it again changes nothing;
 * running it after PUBLIC_URL moved updates the scenario.
 */
export const scenarioFile = sourcePath('voice/voximplant/scenario.js');
/** Scenario names must stay under 30 characters. */
export const scenarioName = (c: Pick<VoximplantConfig, 'application'>): string => `${c.application}-call`.slice(0, 29);
export const ruleName = (c: Pick<VoximplantConfig, 'application'>): string => `${c.application}-outbound`;
/** Matched against dialled numbers of inbound calls only: this one never matches, StartScenarios names the rule. */
const RULE_PATTERN = '^dozvon-outbound-only$';
const MAX_SCRIPT_BYTES = 128 * 1024;

export function scenarioScript(publicUrl: string): string {
  const text = fs.readFileSync(scenarioFile, 'utf8').replace(/__BASE__/g, publicUrl.replace(/\/+$/, ''));
  if (Buffer.byteLength(text) >= MAX_SCRIPT_BYTES) throw new Error('the VoxEngine scenario is over 128 KB');
  return text;
}

export interface SetupReport {
  application: { id: number; name: string; created: boolean; secureRecords: 'already' | 'turned_on' | 'created' };
  scenario: { id: number; name: string; action: 'created' | 'updated' | 'unchanged' };
  rule: { id: number; name: string; action: 'created' | 'bound' | 'unchanged' };
}

interface Application {
  application_id: number;
  application_name: string;
  secure_record_storage?: boolean;
}
interface Scenario {
  scenario_id: number;
  scenario_name: string;
  scenario_script?: string;
}
interface Rule {
  rule_id: number;
  rule_name: string;
  scenarios?: { scenario_id: number }[];
}

export async function setupVoximplant(api: VoximplantApi, c: VoximplantConfig, publicUrl: string): Promise<SetupReport> {
  const script = scenarioScript(publicUrl);
  // 1. The application: full names are "<name>.<account>.voximplant.com".
  const apps = await api.call<{ result: Application[] }>('GetApplications', { application_name: c.application });
  let app = apps.result.find((a) => a.application_name === c.application || a.application_name.startsWith(`${c.application}.`));
  let appCreated = false;
  let secureRecords: SetupReport['application']['secureRecords'] = 'already';
  if (!app) {
    const added = await api.call<{ application_id: number; application_name: string }>('AddApplication', { application_name: c.application, secure_record_storage: true });
    app = { application_id: added.application_id, application_name: added.application_name, secure_record_storage: true };
    appCreated = true;
    secureRecords = 'created';
  } else if (app.secure_record_storage === false) {
    // Recordings must not be fetchable by anyone who sees a link.
    await api.call('SetApplicationInfo', { application_id: app.application_id, secure_record_storage: true });
    secureRecords = 'turned_on';
  }
  const applicationId = app.application_id;

  // 2. The scenario, compared by text so an unchanged one is left alone.
  const name = scenarioName(c);
  const found = await api.call<{ result: Scenario[] }>('GetScenarios', { application_id: applicationId, scenario_name: name });
  const existing = found.result.find((s) => s.scenario_name === name);
  let scenarioId: number;
  let scenarioAction: SetupReport['scenario']['action'];
  if (!existing) {
    const added = await api.call<{ scenario_id: number }>('AddScenario', { application_id: applicationId, scenario_name: name, scenario_script: script });
    scenarioId = added.scenario_id;
    scenarioAction = 'created';
  } else {
    scenarioId = existing.scenario_id;
    const full = await api.call<{ result: Scenario[] }>('GetScenarios', { scenario_id: scenarioId, with_script: true });
    if (full.result[0]?.scenario_script === script) scenarioAction = 'unchanged';
    else {
      await api.call('SetScenarioInfo', { scenario_id: scenarioId, scenario_script: script });
      scenarioAction = 'updated';
    }
  }

  // 3. The rule StartScenarios launches, bound to the scenario.
  const rName = ruleName(c);
  const rules = await api.call<{ result: Rule[] }>('GetRules', { application_id: applicationId, rule_name: rName, with_scenarios: true });
  const rule = rules.result.find((r) => r.rule_name === rName);
  let ruleId: number;
  let ruleAction: SetupReport['rule']['action'];
  if (!rule) {
    const added = await api.call<{ rule_id: number }>('AddRule', { application_id: applicationId, rule_name: rName, rule_pattern: RULE_PATTERN, scenario_id: scenarioId });
    ruleId = added.rule_id;
    ruleAction = 'created';
  } else {
    ruleId = rule.rule_id;
    if (rule.scenarios?.some((s) => s.scenario_id === scenarioId)) ruleAction = 'unchanged';
    else {
      await api.call('BindScenario', { application_id: applicationId, rule_id: ruleId, scenario_id: scenarioId, bind: true });
      ruleAction = 'bound';
    }
  }
  return {
    application: { id: applicationId, name: app.application_name, created: appCreated, secureRecords },
    scenario: { id: scenarioId, name, action: scenarioAction },
    rule: { id: ruleId, name: rName, action: ruleAction },
  };
}
