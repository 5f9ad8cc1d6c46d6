import { ask } from './ask.js';
import { condition } from './condition.js';
import type { ElementDefinition } from './contract.js';
import { hangUp } from './hangUp.js';
import { setResult } from './setResult.js';
import { speak } from './speak.js';
import { start } from './start.js';
import { transfer } from './transfer.js';

/**
 * The element registry: a typed map from stable type id to definition. A new element is one file
 * plus one line here; there is no switch anywhere else.
 */
export const ELEMENTS = {
  start,
  speak,
  ask,
  condition,
  setResult,
  transfer,
  hangUp,
} as const;

export type ElementType = keyof typeof ELEMENTS;
export const ELEMENT_TYPES = Object.keys(ELEMENTS) as ElementType[];

export function elementOf(type: string): ElementDefinition<unknown> | undefined {
  return Object.hasOwn(ELEMENTS, type) ? (ELEMENTS[type as ElementType] as ElementDefinition<unknown>) : undefined;
}
