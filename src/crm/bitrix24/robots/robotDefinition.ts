import { GENDERS, OUTCOMES } from '../../../core/outcome.js';
import { inEveryLocale, t, type Locale } from '../../../i18n.js';

/**
 * What a call-task template looks like as a Bitrix24 robot (C2, brief §2.1): one robot per
 * template, `CODE` derived from the template id, the handler at `$PUBLIC_URL/bitrix24/robot`,
 * waiting for the answer (`USE_SUBSCRIPTION=Y`), and exactly these return values — names that
 * workflows branch on, never renamed. The answer comes before Bitrix24 stops waiting (see
 * returnDeadline.ts); `final` says whether it is the number's last word.
 */
export const ROBOT_CODE_PREFIX = 'calltask_';

export const RETURN_VALUE_KEYS = ['outcome', 'result', 'gender', 'attempts', 'duration', 'recording_url', 'answers', 'final'] as const;

/** The `outcome` a robot answers with when no call of its number has ended yet (at the deadline). */
export const PENDING_OUTCOME = 'pending';
export type ReturnValueKey = (typeof RETURN_VALUE_KEYS)[number];

/** Input properties a workflow designer may fill in. */
export const ROBOT_PROPERTY_KEYS = ['phone_field', 'variables', 'max_attempts'] as const;
const PROPERTY_TYPES: Record<(typeof ROBOT_PROPERTY_KEYS)[number], string> = { phone_field: 'string', variables: 'text', max_attempts: 'int' };

export function robotCode(templateId: string): string {
  return `${ROBOT_CODE_PREFIX}${templateId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The template id a robot CODE names, or undefined for codes that are not ours. */
export function templateIdOfCode(code: string): string | undefined {
  if (!code.startsWith(ROBOT_CODE_PREFIX)) return undefined;
  const id = code.slice(ROBOT_CODE_PREFIX.length);
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

function options(values: readonly string[], prefix: string, lng: Locale): Record<string, string> {
  return Object.fromEntries(values.map((v) => [v, t(lng, `${prefix}${v}`)]));
}

export interface RobotSpec {
  code: string;
  templateName: string;
  /** `$PUBLIC_URL/bitrix24/robot`. */
  handler: string;
  /** User whose token comes with every robot call (the installing administrator). */
  authUserId: number;
  /** Language of option titles (select values). */
  lng: Locale;
}

/** The fields of `bizproc.robot.add` (and, without CODE, of `bizproc.robot.update` FIELDS). */
export function robotFields(s: RobotSpec): Record<string, unknown> {
  const prop = (key: string, type: string, extra: Record<string, unknown> = {}) => ({
    Name: inEveryLocale(`bitrix24.robot.prop.${key}.name`),
    Description: inEveryLocale(`bitrix24.robot.prop.${key}.description`),
    Type: type,
    Required: 'N',
    Multiple: 'N',
    ...extra,
  });
  const ret = (key: string, type: string, extra: Record<string, unknown> = {}) => ({
    Name: inEveryLocale(`bitrix24.robot.return.${key}`),
    Type: type,
    ...extra,
  });
  return {
    HANDLER: s.handler,
    AUTH_USER_ID: s.authUserId,
    USE_SUBSCRIPTION: 'Y',
    NAME: inEveryLocale('bitrix24.robot.name', { template: s.templateName }),
    DESCRIPTION: inEveryLocale('bitrix24.robot.description', { template: s.templateName }),
    FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal'], ['crm', 'CCrmDocumentLead']] },
    PROPERTIES: Object.fromEntries(ROBOT_PROPERTY_KEYS.map((k) => [k, prop(k, PROPERTY_TYPES[k], k === 'max_attempts' ? {} : { Default: '' })])),
    RETURN_PROPERTIES: {
      outcome: ret('outcome', 'select', { Options: options([...OUTCOMES, PENDING_OUTCOME], 'bitrix24.outcome.', s.lng) }),
      result: ret('result', 'string'),
      gender: ret('gender', 'select', { Options: options(GENDERS, 'bitrix24.gender.', s.lng) }),
      attempts: ret('attempts', 'int'),
      duration: ret('duration', 'int'),
      recording_url: ret('recording_url', 'string'),
      answers: ret('answers', 'text'),
      // Y: the number is done (reached, or every attempt made); N: calls go on after this answer.
      final: ret('final', 'bool'),
    },
  };
}
