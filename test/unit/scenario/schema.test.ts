import { describe, expect, it } from 'vitest';
import { toFieldIssues } from '../../../src/core/validation.js';
import { nodeIdSchema, scenarioGraphSchema, scenarioNodeSchema, scenarioVariableSchema } from '../../../src/scenario/schema.js';

describe('scenario schema', () => {
  it.each(['start', 'askInterest', 'node_2', 'a-b', 'x'.repeat(64)])('%s is a valid node id', (id) => {
    expect(nodeIdSchema.safeParse(id).success).toBe(true);
  });

  it.each(['', '2nd', '_x', 'say bye', 'узел', 'x'.repeat(65)])('%j is not a valid node id, and the message says why', (id) => {
    const r = nodeIdSchema.safeParse(id);
    expect(r.success).toBe(false);
    if (!r.success) expect(toFieldIssues(r.error)[0]?.key).toBe('validation.node_id');
  });

  it('a node gets empty settings and exits by default; the editor position is optional', () => {
    expect(scenarioNodeSchema.parse({ id: 'a', type: 'start' })).toEqual({ id: 'a', type: 'start', settings: {}, exits: {} });
    expect(scenarioNodeSchema.safeParse({ id: 'a', type: 'start', position: { x: 1, y: 2 } }).success).toBe(true);
    expect(scenarioNodeSchema.safeParse({ id: 'a', type: 'start', position: { x: 1 } }).success).toBe(false);
  });

  it('an exit must point at something shaped like a node id', () => {
    const r = scenarioNodeSchema.safeParse({ id: 'a', type: 'speak', exits: { next: 'no such node!' } });
    expect(r.success).toBe(false);
    if (!r.success) expect(toFieldIssues(r.error)).toEqual([{ path: 'exits.next', key: 'validation.node_id', params: { format: 'regex' } }]);
  });

  it('a variable is a name with optional description, example and required flag', () => {
    expect(scenarioVariableSchema.parse({ name: 'name' })).toEqual({ name: 'name', description: '', required: false, example: '' });
    const r = scenarioVariableSchema.safeParse({ name: 'contact.name' });
    expect(r.success).toBe(false);
    if (!r.success) expect(toFieldIssues(r.error)[0]?.key).toBe('validation.variable_name');
  });

  it('a scenario speaks Russian unless told otherwise, and only Russian or English', () => {
    const nodes = [{ id: 'start', type: 'start' }];
    expect(scenarioGraphSchema.parse({ name: 'x', nodes }).language).toBe('ru');
    expect(scenarioGraphSchema.parse({ name: 'x', language: 'en', nodes }).language).toBe('en');
    expect(scenarioGraphSchema.safeParse({ name: 'x', language: 'de', nodes }).success).toBe(false);
  });

  it('limits the size of a scenario', () => {
    const node = (i: number) => ({ id: `n${i}`, type: 'speak' });
    expect(scenarioGraphSchema.safeParse({ name: 'x', nodes: Array.from({ length: 500 }, (_, i) => node(i)) }).success).toBe(true);
    expect(scenarioGraphSchema.safeParse({ name: 'x', nodes: Array.from({ length: 501 }, (_, i) => node(i)) }).success).toBe(false);
    expect(scenarioGraphSchema.safeParse({ name: 'x', nodes: [] }).success).toBe(false);
    expect(scenarioGraphSchema.safeParse({ name: ' ', nodes: [node(1)] }).success).toBe(false);
  });
});
