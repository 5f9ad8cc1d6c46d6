import { describe, expect, it } from 'vitest';
import { ELEMENT_TYPES, ELEMENTS, elementOf } from '../../../../src/scenario/elements/index.js';

describe('element registry', () => {
  it('maps every stable type id to the definition carrying that id', () => {
    for (const type of ELEMENT_TYPES) expect(ELEMENTS[type].type).toBe(type);
    expect([...ELEMENT_TYPES].sort()).toEqual(['ask', 'condition', 'hangUp', 'setResult', 'speak', 'start', 'transfer']);
  });

  it('finds an element by type, and nothing for unknown types or inherited property names', () => {
    expect(elementOf('speak')?.spec).toBe('M11');
    expect(elementOf('fax')).toBeUndefined();
    expect(elementOf('toString')).toBeUndefined();
    expect(elementOf('__proto__')).toBeUndefined();
  });

  it('only elements that wait for the callee are allowed to close a loop', () => {
    expect(ELEMENT_TYPES.filter((t) => ELEMENTS[t].waitsForCallee)).toEqual(['ask']);
  });
});
