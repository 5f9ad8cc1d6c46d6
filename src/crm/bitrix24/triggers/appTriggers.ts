import { t, type Locale } from '../../../i18n.js';

/**
 * The app triggers Dozvon registers on a portal (RD:api-reference/crm/automation/triggers/*.md):
 * an administrator links one to a stage in the deal's or lead's automation settings ("when the
 * voice bot reached the client, move the deal here"), and Dozvon fires them for the document when
 * its number is done — however long after the robot answered its workflow. That is how automation
 * reacts to outcomes that come after Bitrix24 stopped waiting for the robot (a busy number reached
 * on the third redial an hour later).
 *
 * Codes are stored in portals' automation settings: never rename one. Names are registered in the
 * portal's language (`crm.automation.trigger.add` takes one NAME; a repeated add renames).
 */
export interface AppTrigger {
  code: string;
  /** i18next key of the name shown in the automation settings. */
  nameKey: string;
}

export const APP_TRIGGERS = [
  { code: 'dozvon_finished', nameKey: 'bitrix24.trigger.finished' },
  { code: 'dozvon_reached', nameKey: 'bitrix24.trigger.reached' },
  { code: 'dozvon_interested', nameKey: 'bitrix24.trigger.interested' },
  { code: 'dozvon_not_reached', nameKey: 'bitrix24.trigger.not_reached' },
] as const satisfies readonly AppTrigger[];

export type TriggerCode = (typeof APP_TRIGGERS)[number]['code'];

/** The scenario result that counts as "interested" (the starter's positive branch), and its tag. */
export const INTERESTED_RESULT = 'interested';
export const POSITIVE_TAG = 'positive';

/**
 * Which triggers a finished number fires, in this order:
 * - `dozvon_finished` — every call the chain was going to make is made (reached or not);
 * - `dozvon_reached` — a person answered; `dozvon_interested` — and the scenario's result is
 *   `interested` or carries the tag `positive`;
 * - `dozvon_not_reached` — every attempt made, nobody answered.
 * A chain stopped before its end (the campaign was stopped) fires nothing.
 */
export function triggersFor(f: { status: 'reached' | 'unreached' | 'cancelled'; result: string | null; tags: readonly string[] }): TriggerCode[] {
  if (f.status === 'cancelled') return [];
  if (f.status === 'unreached') return ['dozvon_finished', 'dozvon_not_reached'];
  const interested = f.result === INTERESTED_RESULT || f.tags.includes(POSITIVE_TAG);
  return interested ? ['dozvon_finished', 'dozvon_reached', 'dozvon_interested'] : ['dozvon_finished', 'dozvon_reached'];
}

/** `crm.automation.trigger.add` of every trigger, named in the portal's language. */
export function triggerAddCommands(lng: Locale): { method: string; params: Record<string, unknown> }[] {
  return APP_TRIGGERS.map((x) => ({ method: 'crm.automation.trigger.add', params: { CODE: x.code, NAME: t(lng, x.nameKey) } }));
}
