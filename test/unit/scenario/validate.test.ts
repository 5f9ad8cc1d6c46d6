import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../../src/core/errors.js';
import { renderIssues } from '../../../src/http/errors.js';
import { LOCALES } from '../../../src/i18n.js';
import type { ScenarioGraphInput } from '../../../src/scenario/schema.js';
import { validateScenario } from '../../../src/scenario/validate.js';

/**
 * Fixtures as in jambonz's test/data: every file in good/ must pass; every file in bad/ is
 * `{ expect, scenario }` where `expect` lists exactly the issues (i18n key, path, node, nested
 * reason) the scenario must produce, in order.
 */
const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (dir: string, file: string): unknown => JSON.parse(fs.readFileSync(path.join(fixturesDir, dir, file), 'utf8'));
const jsonFiles = (dir: string) => fs.readdirSync(path.join(fixturesDir, dir)).filter((f) => f.endsWith('.json')).sort();

interface Expected {
  key: string;
  path: string;
  node?: string;
  reasonKey?: string;
  params?: Record<string, unknown>;
}
interface BadFixture {
  expect: Expected[];
  scenario: unknown;
}

const goodFiles = jsonFiles('good');
const badFiles = jsonFiles('bad');

function issuesOf(input: unknown): FieldIssue[] {
  const r = validateScenario(input);
  if (r.ok) throw new Error('expected the scenario to be refused');
  return r.issues;
}

describe('validateScenario: good fixtures', () => {
  it('there are good fixtures to check', () => {
    expect(goodFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(goodFiles)('good/%s is valid', (file) => {
    const r = validateScenario(read('good', file));
    expect(r.ok ? [] : r.issues).toEqual([]);
  });
});

describe('validateScenario: bad fixtures', () => {
  it.each(badFiles)('bad/%s produces exactly the expected issues', (file) => {
    const fixture = read('bad', file) as BadFixture;
    expect(fixture.expect.length, 'a bad fixture names what it must produce').toBeGreaterThan(0);
    const issues = issuesOf(fixture.scenario);
    expect(issues).toHaveLength(fixture.expect.length);
    fixture.expect.forEach((e, i) => {
      const params = { ...(e.node ? { node: e.node } : {}), ...(e.reasonKey ? { reasonKey: e.reasonKey } : {}), ...e.params };
      expect(issues[i], `${file} issue ${i}`).toMatchObject({ key: e.key, path: e.path, ...(Object.keys(params).length ? { params } : {}) });
    });
  });

  it.each(badFiles)('bad/%s renders as a complete sentence in Russian and English', (file) => {
    const fixture = read('bad', file) as BadFixture;
    const issues = issuesOf(fixture.scenario);
    for (const lng of LOCALES) {
      for (const [i, d] of renderIssues(lng, issues).entries()) {
        expect(d.message, `${lng}: ${d.reason}`).not.toBe(d.reason);
        expect(d.message, `${lng}: ${d.reason}`).not.toMatch(/\{\{|\}\}|validation\.|scenario\./);
        const node = fixture.expect[i]?.node;
        if (node) expect(d.message).toContain(node);
      }
    }
  });

  it('together they cover every scenario.* message', () => {
    const covered = new Set(badFiles.flatMap((f) => (read('bad', f) as BadFixture).expect.map((e) => e.key)));
    const scenarioKeys = Object.keys(JSON.parse(fs.readFileSync(path.join(fixturesDir, '../../../../locales/en/scenario.json'), 'utf8')) as object);
    for (const k of scenarioKeys) expect(covered, `scenario.${k}`).toContain(`scenario.${k}`);
  });
});

describe('validateScenario: behaviour', () => {
  const minimal = (nodes: ScenarioGraphInput['nodes'], over: Partial<ScenarioGraphInput> = {}): ScenarioGraphInput => ({ name: 'Test', ...over, nodes });

  it('returns the graph with defaults filled in', () => {
    const r = validateScenario(minimal([{ id: 'start', type: 'start', exits: { next: 'bye' } }, { id: 'bye', type: 'hangUp' }]));
    expect(r).toEqual({
      ok: true,
      graph: {
        name: 'Test',
        description: '',
        language: 'ru',
        variables: [],
        nodes: [
          { id: 'start', type: 'start', settings: {}, exits: { next: 'bye' } },
          { id: 'bye', type: 'hangUp', settings: {}, exits: {} },
        ],
      },
    });
  });

  it('a variable saved by a question may be used by any node', () => {
    const r = validateScenario(
      minimal([
        { id: 'start', type: 'start', exits: { next: 'ask' } },
        { id: 'ask', type: 'ask', settings: { question: 'Name?', branches: [{ id: 'any', keywords: ['a'] }], saveAs: 'heard' }, exits: { any: 'bye' } },
        { id: 'bye', type: 'hangUp', settings: { text: 'You said {heard}' } },
      ]),
    );
    expect(r.ok).toBe(true);
  });

  it('a question may loop back to itself: it waits for the callee every time', () => {
    const r = validateScenario(
      minimal([
        { id: 'start', type: 'start', exits: { next: 'ask' } },
        { id: 'ask', type: 'ask', settings: { question: 'Yes?', branches: [{ id: 'yes', intent: 'yes' }] }, exits: { yes: 'bye', noMatch: 'ask', noInput: 'ask' } },
        { id: 'bye', type: 'hangUp' },
      ]),
    );
    expect(r.ok).toBe(true);
  });

  it('a loop only some of whose paths wait for the callee is still endless on the others', () => {
    const issues = issuesOf(
      minimal([
        { id: 'start', type: 'start', exits: { next: 'check' } },
        { id: 'check', type: 'condition', settings: { left: '{attempt}', operator: 'gt', right: '1' }, exits: { true: 'ask', false: 'say' } },
        { id: 'say', type: 'speak', settings: { text: 'Hi' }, exits: { next: 'check' } },
        { id: 'ask', type: 'ask', settings: { question: 'Yes?', branches: [{ id: 'yes', intent: 'yes' }] }, exits: { yes: 'check' } },
      ]),
    );
    expect(issues.map((i) => i.key)).toEqual(['scenario.endless_loop']);
  });

  it('flow problems are checked only once the structure is sound, so one mistake gives one message', () => {
    const issues = issuesOf(
      minimal([
        { id: 'start', type: 'start', exits: { next: 'hello' } },
        { id: 'hello', type: 'speak', settings: { text: 'Hi' }, exits: { next: 'gone' } },
        { id: 'bye', type: 'hangUp' },
      ]),
    );
    expect(issues.map((i) => i.key)).toEqual(['scenario.dangling_exit']);
  });

  it('reports every structural problem at once, each naming its node', () => {
    const issues = issuesOf(
      minimal([
        { id: 'start', type: 'start', exits: { next: 'hello', other: 'bye' } },
        { id: 'hello', type: 'speak', settings: { text: 'Hi {who}' }, exits: {} },
        { id: 'odd', type: 'robot' },
        { id: 'bye', type: 'hangUp' },
      ]),
    );
    expect(issues.map((i) => `${i.key} ${String(i.params?.node)}`)).toEqual([
      'scenario.unknown_element odd',
      'scenario.unknown_exit start',
      'scenario.missing_exit hello',
      'scenario.unknown_variable hello',
    ]);
  });

  it('refuses what is not a scenario at all', () => {
    expect(issuesOf(null)).toEqual([{ path: '', key: 'validation.invalid_type', params: { expected: 'object' } }]);
    expect(issuesOf({}).map((i) => `${i.path} ${i.key}`)).toEqual(['name validation.required', 'nodes validation.required']);
  });
});
