import type { EditorNode } from './graph';

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * What a new node of each element starts with, so it is valid (or nearly) the moment it is dropped:
 * a sentence to say, a question with yes / no branches, a condition on a variable. Elements the
 * console does not know yet start empty and their form says what is missing.
 */
export function defaultSettings(type: string, t: T): Record<string, unknown> {
  switch (type) {
    case 'speak':
      return { text: t('console.elements.speak.default') };
    case 'ask':
      return {
        question: t('console.elements.ask.default'),
        reprompt: '',
        branches: [
          { id: 'yes', intent: 'yes', keywords: [] },
          { id: 'no', intent: 'no', keywords: [] },
        ],
        timeoutSec: 5,
        retries: 1,
      };
    case 'condition':
      return { left: '{phone}', operator: 'not_empty', right: '' };
    case 'setResult':
      return { result: 'interested', tags: [] };
    case 'transfer':
      return { text: t('console.elements.transfer.default') };
    case 'hangUp':
      return { text: t('console.elements.hangUp.default') };
    default:
      return {};
  }
}

/** One line under the node's title: what it says, asks, checks or records. */
export function summaryOf(node: EditorNode, t: T): string {
  const s = node.settings as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (node.type) {
    case 'speak':
    case 'hangUp':
    case 'transfer':
      return str(s.text);
    case 'ask':
      return str(s.question);
    case 'condition':
      return `${str(s.left)} ${t(`console.scenarios.operators.${str(s.operator)}`, { defaultValue: str(s.operator) })} ${str(s.right)}`.trim();
    case 'setResult':
      return [str(s.result), ...(Array.isArray(s.tags) ? (s.tags as string[]) : [])].filter(Boolean).join(' · ');
    default:
      return '';
  }
}
