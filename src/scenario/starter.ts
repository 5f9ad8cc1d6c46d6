import type { TFunction } from 'i18next';
import type { ScenarioGraphInput } from './schema.js';

/**
 * The starter scenario every new tenant gets, so a robot or a test call works at once:
 * "lead qualification" — greet by name, ask if interested, branch, tag the result.
 * Texts come from locales/<lang>/starter.json in the tenant's language.
 */
export function starterScenario(t: TFunction, lang: 'ru' | 'en'): ScenarioGraphInput {
  return {
    name: t('starter.scenario_name'),
    description: t('starter.scenario_description'),
    language: lang,
    variables: [
      { name: 'name', description: t('starter.var_name'), required: false, example: t('starter.var_name_example') },
      { name: 'product', description: t('starter.var_product'), required: false, example: t('starter.var_product_example') },
    ],
    nodes: [
      { id: 'start', type: 'start', exits: { next: 'hasName' } },
      { id: 'hasName', type: 'condition', title: t('starter.node_has_name'), settings: { left: '{name}', operator: 'not_empty', right: '' }, exits: { true: 'greetByName', false: 'greet' } },
      { id: 'greetByName', type: 'speak', settings: { text: t('starter.greet_by_name') }, exits: { next: 'askInterest' } },
      { id: 'greet', type: 'speak', settings: { text: t('starter.greet') }, exits: { next: 'askInterest' } },
      {
        id: 'askInterest',
        type: 'ask',
        title: t('starter.node_ask'),
        settings: {
          question: t('starter.question'),
          reprompt: t('starter.reprompt'),
          branches: [
            { id: 'yes', intent: 'yes', keywords: [] },
            { id: 'no', intent: 'no', keywords: [] },
            { id: 'later', intent: 'callback', keywords: [] },
          ],
          timeoutSec: 5,
          retries: 1,
          saveAs: 'interestAnswer',
        },
        exits: { yes: 'resultInterested', no: 'resultDeclined', later: 'resultCallback', noMatch: 'resultUnclear', noInput: 'resultUnclear' },
      },
      { id: 'resultInterested', type: 'setResult', settings: { result: 'interested', tags: ['positive'] }, exits: { next: 'byeInterested' } },
      { id: 'byeInterested', type: 'hangUp', settings: { text: t('starter.bye_interested') } },
      { id: 'resultDeclined', type: 'setResult', settings: { result: 'not_interested', tags: ['negative'] }, exits: { next: 'byeDeclined' } },
      { id: 'byeDeclined', type: 'hangUp', settings: { text: t('starter.bye_declined') } },
      { id: 'resultCallback', type: 'setResult', settings: { result: 'callback', tags: ['callback'], redialAfterMinutes: 120 }, exits: { next: 'byeCallback' } },
      { id: 'byeCallback', type: 'hangUp', settings: { text: t('starter.bye_callback') } },
      { id: 'resultUnclear', type: 'setResult', settings: { result: 'no_decision', tags: ['unclear'] }, exits: { next: 'handOver' } },
      { id: 'handOver', type: 'transfer', settings: { text: t('starter.hand_over') } },
    ],
  };
}
