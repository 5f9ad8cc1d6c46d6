import { describe, expect, it } from 'vitest';
import { renderText, SYSTEM_VARIABLES, VARIABLE_NAME, variablesIn } from '../../../src/scenario/variables.js';

describe('renderText', () => {
  it.each([
    ['Hello, {name}!', { name: 'Anna' }, 'Hello, Anna!', 'a variable is substituted'],
    ['Hello, {name|there}!', { name: 'Anna' }, 'Hello, Anna!', 'a set variable beats its fallback'],
    ['Hello, {name|there}!', {}, 'Hello, there!', 'a missing variable speaks its fallback'],
    ['Hello, {name|there}!', { name: '' }, 'Hello, there!', 'an empty variable speaks its fallback'],
    ['О {product|нашем новом тарифе}.', {}, 'О нашем новом тарифе.', 'a fallback may have spaces and Cyrillic'],
    ['Hello, {name} {surname}!', { name: 'Anna' }, 'Hello, Anna !', 'a missing variable without fallback is dropped, spaces collapse'],
    ['  {greeting}  ', {}, '', 'the result is trimmed'],
    ['Line one\n\nline two', {}, 'Line one line two', 'runs of whitespace become one space'],
    ['{a}{b}', { a: '1', b: '2' }, '12', 'adjacent placeholders'],
    ['{a|}', {}, '', 'an empty fallback'],
    ['Braces {not a var} and {1st} stay', {}, 'Braces {not a var} and {1st} stay', 'text that is not a placeholder stays'],
    ['{name}', { name: '{surname}', surname: 'x' }, '{surname}', 'values are not rendered again'],
  ])('%j → %j (%s)', (text, vars, expected, _why) => {
    expect(renderText(text, vars as Record<string, string>)).toBe(expected);
  });
});

describe('variablesIn', () => {
  it('lists the variables a text reads, fallbacks included, in order', () => {
    expect(variablesIn('Hi {name|there}, about {product} for {name}')).toEqual(['name', 'product', 'name']);
    expect(variablesIn('no variables {here too}')).toEqual([]);
  });
});

describe('variable names', () => {
  it.each(['name', 'firstName', 'utm_source', 'a1', 'X'])('%s is a valid name', (n) => expect(VARIABLE_NAME.test(n)).toBe(true));
  it.each(['', '1st', '_x', 'contact.name', 'имя', 'a-b', 'x'.repeat(65)])('%j is not a valid name', (n) => expect(VARIABLE_NAME.test(n)).toBe(false));

  it('phone and attempt are always available', () => {
    expect([...SYSTEM_VARIABLES]).toEqual(['phone', 'attempt']);
  });
});
