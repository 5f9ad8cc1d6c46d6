import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../../src/core/errors.js';
import { templateSettingsSchema, type TemplateSettingsInput } from '../../../src/core/template.js';
import { toFieldIssues } from '../../../src/core/validation.js';

const SCENARIO = '3f1c9a2e-8b4d-4c6e-9f0a-1b2c3d4e5f60';
const OTHER = '7d0e4b1a-2c3f-4a5b-8c6d-9e0f1a2b3c4d';
const base: TemplateSettingsInput = { name: 'Qualify a lead', scenarioId: SCENARIO };

const parse = (over: Record<string, unknown>) => templateSettingsSchema.safeParse({ ...base, ...over });
function issuesOf(over: Record<string, unknown>): FieldIssue[] {
  const r = parse(over);
  if (r.success) throw new Error(`expected ${JSON.stringify(over)} to be refused`);
  return toFieldIssues(r.error);
}
const keysOf = (over: Record<string, unknown>) => issuesOf(over).map((i) => `${i.path} ${i.key}`);

describe('template settings: defaults', () => {
  it('a name and a scenario are enough; everything else gets the documented default', () => {
    expect(templateSettingsSchema.parse(base)).toEqual({
      name: 'Qualify a lead',
      description: '',
      scenarioId: SCENARIO,
      dialPlan: { mode: 'default' },
      amd: { mode: 'off', greetingId: null },
      callerId: { mode: 'default' },
      redirect: { mode: 'hangup' },
      intensity: 1,
      callingWindow: { from: '09:00', to: '21:00' },
      ineffectiveSec: 10,
      shortCallSec: 5,
      country: 'RU',
      genderDetection: false,
      redial: { mode: 'none' },
    });
  });

  it('the name and description are trimmed', () => {
    expect(templateSettingsSchema.parse({ ...base, name: '  Qualify  ', description: ' x ' })).toMatchObject({ name: 'Qualify', description: 'x' });
  });

  it('the country is upper-cased', () => {
    expect(templateSettingsSchema.parse({ ...base, country: ' kz ' }).country).toBe('KZ');
  });
});

describe('template settings: every field (T1–T12)', () => {
  it('T1: the name is required, not blank and at most 80 characters', () => {
    expect(issuesOf({ name: undefined })).toEqual([{ path: 'name', key: 'validation.required' }]);
    expect(issuesOf({ name: '   ' })).toEqual([{ path: 'name', key: 'validation.too_small_string', params: { minimum: 1 } }]);
    expect(issuesOf({ name: 'x'.repeat(81) })).toEqual([{ path: 'name', key: 'validation.too_big_string', params: { maximum: 80 } }]);
    expect(issuesOf({ description: 'x'.repeat(501) })).toEqual([{ path: 'description', key: 'validation.too_big_string', params: { maximum: 500 } }]);
  });

  it('T2: the scenario is an id', () => {
    expect(issuesOf({ scenarioId: 'starter' })).toEqual([{ path: 'scenarioId', key: 'validation.invalid_format_uuid', params: { format: 'uuid' } }]);
  });

  it('T3: the dial plan is the default route or one of the account’s own', () => {
    expect(parse({ dialPlan: { mode: 'custom', dialPlanId: OTHER } }).success).toBe(true);
    expect(keysOf({ dialPlan: { mode: 'custom' } })).toEqual(['dialPlan.dialPlanId validation.required']);
    expect(issuesOf({ dialPlan: { mode: 'trunk' } })).toEqual([
      { path: 'dialPlan.mode', key: 'validation.invalid_value', params: { values: 'default, custom' } },
    ]);
    expect(keysOf({ dialPlan: { mode: 'default', dialPlanId: OTHER } })).toEqual(['dialPlan validation.unrecognized_keys']);
  });

  it('T4: detection is off, background or blocking, with an optional greeting', () => {
    expect(templateSettingsSchema.parse({ ...base, amd: { mode: 'blocking' } }).amd).toEqual({ mode: 'blocking', greetingId: null });
    expect(templateSettingsSchema.parse({ ...base, amd: { mode: 'background', greetingId: OTHER } }).amd).toEqual({ mode: 'background', greetingId: OTHER });
    expect(issuesOf({ amd: { mode: 'sometimes' } })).toEqual([
      { path: 'amd.mode', key: 'validation.invalid_value', params: { values: 'off, background, blocking' } },
    ]);
    expect(keysOf({ amd: { mode: 'off', greetingId: 'hello.wav' } })).toEqual(['amd.greetingId validation.invalid_format_uuid']);
  });

  it('T5: the caller ID is the default, a group or one number', () => {
    expect(parse({ callerId: { mode: 'group', groupId: OTHER } }).success).toBe(true);
    expect(parse({ callerId: { mode: 'number', number: '+7 495 989-85-33' } }).success).toBe(true);
    expect(keysOf({ callerId: { mode: 'group' } })).toEqual(['callerId.groupId validation.required']);
  });

  it('T6: the default redirect is hang-up, dial plan + number, a direction, a custom target or another scenario', () => {
    for (const redirect of [
      { mode: 'hangup' },
      { mode: 'dialPlan', dialPlanId: OTHER, number: '+7 495 989-85-33' },
      { mode: 'direction', directionId: OTHER },
      { mode: 'custom', target: 'sip:sales@pbx.example.com' },
      { mode: 'scenario', scenarioId: OTHER },
    ]) {
      expect(parse({ redirect }).success, JSON.stringify(redirect)).toBe(true);
    }
    expect(keysOf({ redirect: { mode: 'custom', target: '   ' } })).toEqual(['redirect.target validation.too_small_string']);
    expect(keysOf({ redirect: { mode: 'voicemail' } })).toEqual(['redirect.mode validation.invalid_value']);
  });

  it('T7: intensity allows fractions from 0.1 to 50 calls a second', () => {
    expect(templateSettingsSchema.parse({ ...base, intensity: 0.5 }).intensity).toBe(0.5);
    expect(issuesOf({ intensity: 0 })).toEqual([{ path: 'intensity', key: 'validation.too_small_number', params: { minimum: 0.1 } }]);
    expect(issuesOf({ intensity: 51 })).toEqual([{ path: 'intensity', key: 'validation.too_big_number', params: { maximum: 50 } }]);
    expect(issuesOf({ intensity: '2' })).toEqual([{ path: 'intensity', key: 'validation.invalid_type', params: { expected: 'number' } }]);
  });

  it('T8: the calling window is two HH:MM times; one crossing midnight is allowed', () => {
    expect(templateSettingsSchema.parse({ ...base, callingWindow: { from: '22:00', to: '06:00' } }).callingWindow).toEqual({ from: '22:00', to: '06:00' });
    expect(issuesOf({ callingWindow: { from: '9:00', to: '24:01' } })).toEqual([
      { path: 'callingWindow.from', key: 'validation.time_hhmm', params: { format: 'regex' } },
      { path: 'callingWindow.to', key: 'validation.time_hhmm', params: { format: 'regex' } },
    ]);
  });

  it('T9: the ineffective-call threshold is whole seconds, 0 switches it off', () => {
    expect(templateSettingsSchema.parse({ ...base, ineffectiveSec: 0 }).ineffectiveSec).toBe(0);
    expect(keysOf({ ineffectiveSec: -1 })).toEqual(['ineffectiveSec validation.too_small_number']);
    expect(keysOf({ ineffectiveSec: 3601 })).toEqual(['ineffectiveSec validation.too_big_number']);
    expect(keysOf({ ineffectiveSec: 1.5 })).toEqual(['ineffectiveSec validation.invalid_type']);
    expect(keysOf({ shortCallSec: 0 })).toEqual(['shortCallSec validation.too_small_number']);
    expect(keysOf({ shortCallSec: 121 })).toEqual(['shortCallSec validation.too_big_number']);
  });

  it('T10: the country is any ISO 3166-1 alpha-2 code libphonenumber knows', () => {
    expect(templateSettingsSchema.parse({ ...base, country: 'US' }).country).toBe('US');
    expect(issuesOf({ country: 'ZZ' })).toEqual([{ path: 'country', key: 'validation.country_unknown', params: {} }]);
    expect(issuesOf({ country: 'RUS' })).toEqual([{ path: 'country', key: 'validation.country_unknown', params: {} }]);
  });

  it('T11: gender detection is a switch', () => {
    expect(templateSettingsSchema.parse({ ...base, genderDetection: true }).genderDetection).toBe(true);
    expect(keysOf({ genderDetection: 'yes' })).toEqual(['genderDetection validation.invalid_type']);
  });

  it('T12: redial rules are none, inline per event, or a named set', () => {
    const inline = templateSettingsSchema.parse({ ...base, redial: { mode: 'inline', rules: { busy: { delayMinutes: 5, maxCount: 3 } } } });
    expect(inline.redial).toEqual({ mode: 'inline', rules: { busy: { delayMinutes: 5, from: 'start', maxCount: 3 } } });
    expect(parse({ redial: { mode: 'set', setId: OTHER } }).success).toBe(true);
    expect(issuesOf({ redial: { mode: 'inline', rules: { busy: { delayMinutes: 5, maxCount: 100 }, fax: {} } } })).toEqual([
      { path: 'redial.rules.busy.maxCount', key: 'validation.too_big_number', params: { maximum: 99 } },
      { path: 'redial.rules', key: 'validation.unrecognized_keys', params: { keys: 'fax' } },
    ]);
  });

  it('an unknown field is refused, naming it', () => {
    expect(issuesOf({ robotCode: 'x' })).toEqual([{ path: '', key: 'validation.unrecognized_keys', params: { keys: 'robotCode' } }]);
  });

  it('every problem of the input is reported at once', () => {
    expect(keysOf({ name: '', intensity: 0, shortCallSec: 0 })).toEqual([
      'name validation.too_small_string',
      'intensity validation.too_small_number',
      'shortCallSec validation.too_small_number',
    ]);
  });
});

describe('template settings: rules across fields', () => {
  it('a calling window that starts when it ends is empty', () => {
    expect(issuesOf({ callingWindow: { from: '10:00', to: '10:00' } })).toEqual([
      { path: 'callingWindow.to', key: 'validation.window_empty', params: {} },
    ]);
  });

  it('a caller-ID number must be a valid phone number in the template’s country', () => {
    expect(issuesOf({ callerId: { mode: 'number', number: 'office' } })).toEqual([
      { path: 'callerId.number', key: 'validation.phone_invalid', params: { value: 'office' } },
    ]);
    expect(parse({ callerId: { mode: 'number', number: '8 (495) 989-85-33' } }).success).toBe(true);
    // The same national number is not valid in the US.
    expect(keysOf({ country: 'US', callerId: { mode: 'number', number: '8 (495) 989-85-33' } })).toEqual(['callerId.number validation.phone_invalid']);
    expect(parse({ country: 'KZ', callerId: { mode: 'number', number: '8 701 123 4567' } }).success).toBe(true);
  });

  it('a redirect number may be a phone number or a short internal extension, nothing else', () => {
    expect(parse({ redirect: { mode: 'dialPlan', dialPlanId: OTHER, number: '8 (495) 989-85-33' } }).success).toBe(true);
    expect(parse({ redirect: { mode: 'dialPlan', dialPlanId: OTHER, number: '101' } }).success).toBe(true);
    expect(parse({ redirect: { mode: 'dialPlan', dialPlanId: OTHER, number: '123456' } }).success).toBe(true);
    expect(issuesOf({ redirect: { mode: 'dialPlan', dialPlanId: OTHER, number: '1234567' } })).toEqual([
      { path: 'redirect.number', key: 'validation.phone_invalid', params: { value: '1234567' } },
    ]);
    expect(keysOf({ redirect: { mode: 'dialPlan', dialPlanId: OTHER, number: 'sales' } })).toEqual(['redirect.number validation.phone_invalid']);
  });
});

describe('the calling window may end at 24:00', () => {
  it('accepts 24:00 as the end of the day but not as a start', async () => {
    const { templateSettingsSchema } = await import('../../../src/core/template.js');
    const base = { name: 'T', scenarioId: '01a1fcdd-0000-7000-8000-000000000000' };
    expect(templateSettingsSchema.safeParse({ ...base, callingWindow: { from: '00:00', to: '24:00' } }).success).toBe(true);
    expect(templateSettingsSchema.safeParse({ ...base, callingWindow: { from: '24:00', to: '23:00' } }).success).toBe(false);
  });
});

describe('how the Bitrix24 robot answers its workflow', () => {
  it('defaults to "when final" (always bounded by Bitrix24\'s deadline) and takes "after the first call"', () => {
    expect(templateSettingsSchema.parse({ ...base, crm: { bitrix24: {} } }).crm?.bitrix24?.robotReturn).toBe('final');
    expect(templateSettingsSchema.parse({ ...base, crm: { bitrix24: { robotReturn: 'first_attempt' } } }).crm?.bitrix24?.robotReturn).toBe('first_attempt');
  });

  it('an unknown choice is refused with a message saying what each value means', () => {
    expect(keysOf({ crm: { bitrix24: { robotReturn: 'soon' } } })).toEqual(['crm.bitrix24.robotReturn validation.robot_return_mode']);
    expect(issuesOf({ crm: { bitrix24: { robotReturn: 'soon' } } })[0]?.params).toEqual({ values: 'first_attempt, final' });
  });
});
