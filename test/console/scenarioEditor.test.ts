import Select from '@bitrix24/b24ui-nuxt/components/Select.vue';
import { beforeAll, describe, expect, it } from 'vitest';
import FlowNode from '../../console/src/views/scenarios/FlowNode.vue';
import NodeForm from '../../console/src/views/scenarios/NodeForm.vue';
import VariableText from '../../console/src/views/scenarios/VariableText.vue';
import { addNode, connect, disconnect, exitsOf, knownVariables, layout, newNode, pruneExits, removeNode, renameNode, type EditorGraph } from '../../console/src/views/scenarios/lib/graph';
import { History } from '../../console/src/views/scenarios/lib/history';
import { issuesOf, messageOf, serverIssues } from '../../console/src/views/scenarios/lib/issues';
import { initTexts, mountWithTexts, settle, t } from './support';

beforeAll(initTexts);

/**
 * The scenario editor's checks, run in the browser by the server's own `validateScenario`: each
 * problem lands on the node it is about (and at the field, in the node's form), undo / redo, and
 * the graph edits behind dragging and connecting.
 */
const base = (): EditorGraph => ({
  name: 'Test',
  description: '',
  language: 'en',
  variables: [{ name: 'name', description: 'first name', required: false, example: 'Anna' }],
  nodes: [
    { id: 'start', type: 'start', settings: {}, exits: { next: 'hello' } },
    { id: 'hello', type: 'speak', settings: { text: 'Hello, {name}!' }, exits: { next: 'bye' } },
    { id: 'bye', type: 'hangUp', settings: { text: 'Bye' }, exits: {} },
  ],
});

describe('validation on the nodes', () => {
  it('a valid scenario has no problems', () => {
    expect(issuesOf(base())).toEqual([]);
  });

  it('a new question reports its unconnected exits on itself; connected, the problems go', () => {
    let g = addNode(base(), newNode(base(), 'ask', { x: 0, y: 0 }, { question: 'Interested?', branches: [{ id: 'yes', intent: 'yes', keywords: [] }, { id: 'no', intent: 'no', keywords: [] }] }));
    const issues = issuesOf(g);
    expect(issues.map((i) => [i.nodeId, i.key])).toEqual([
      ['ask1', 'scenario.missing_exit'],
      ['ask1', 'scenario.missing_exit'],
    ]);
    expect(messageOf(issues[0]!, t)).toBe('Node "ask1": connect the exit "yes".');
    g = connect(connect(connect(g, 'hello', 'next', 'ask1'), 'ask1', 'yes', 'bye'), 'ask1', 'no', 'bye');
    expect(issuesOf(g)).toEqual([]);
  });

  it('a bad setting names the node and the field, with the nested reason translated', () => {
    const g = base();
    g.nodes[1]!.settings = { text: '' };
    const [issue] = issuesOf(g);
    expect(issue).toMatchObject({ nodeId: 'hello', field: 'settings.text', key: 'scenario.bad_setting' });
    expect(messageOf(issue!, t)).toBe('Node "hello", setting "text": Must be at least 1 character(s) long.');
  });

  it('an undeclared variable is reported on the node that uses it; scenario-wide problems on no node', () => {
    const g = base();
    g.nodes[1]!.settings = { text: 'Hello, {surname}!' };
    expect(issuesOf(g)[0]).toMatchObject({ nodeId: 'hello', key: 'scenario.unknown_variable', params: { variable: 'surname' } });
    const dup = base();
    dup.variables.push({ name: 'phone', description: '', required: false, example: '' });
    expect(issuesOf(dup)[0]).toMatchObject({ nodeId: undefined, key: 'scenario.duplicate_variable' });
  });

  it('a node nothing leads to is unreachable', () => {
    const g = disconnect(base(), 'start', 'next');
    expect(issuesOf(g).map((i) => i.key)).toContain('scenario.missing_exit');
    const dangling = addNode(base(), { id: 'lonely', type: 'hangUp', settings: {}, exits: {} });
    expect(issuesOf(dangling)).toContainEqual(expect.objectContaining({ nodeId: 'lonely', key: 'scenario.unreachable' }));
  });

  it('the server’s refusal of a save is tied to the nodes the same way', () => {
    const [i] = serverIssues(base(), [{ path: 'nodes.1.settings.text', message: 'Too short', reason: 'scenario.bad_setting' }]);
    expect(i).toMatchObject({ nodeId: 'hello', field: 'settings.text', message: 'Too short' });
  });
});

describe('graph edits', () => {
  it('removing a node drops the exits that led to it; renaming follows them', () => {
    const g = removeNode(base(), 'bye');
    expect(g.nodes.find((n) => n.id === 'hello')!.exits).toEqual({});
    const r = renameNode(base(), 'bye', 'goodbye')!;
    expect(r.nodes.find((n) => n.id === 'hello')!.exits).toEqual({ next: 'goodbye' });
    expect(renameNode(base(), 'bye', 'hello')).toBeNull();
    expect(renameNode(base(), 'bye', '9lives')).toBeNull();
  });

  it('a question offers an exit per branch plus no match / no input; a removed branch takes its connection along', () => {
    const ask = { id: 'q', type: 'ask', settings: { question: 'Q', branches: [{ id: 'yes', intent: 'yes', keywords: [] }, { id: 'later', keywords: ['later'] }] }, exits: { yes: 'bye', later: 'bye' } };
    expect(exitsOf(ask).map((e) => e.name)).toEqual(['yes', 'later', 'noMatch', 'noInput']);
    const pruned = pruneExits({ ...ask, settings: { ...ask.settings, branches: [{ id: 'yes', intent: 'yes', keywords: [] }] } });
    expect(pruned.exits).toEqual({ yes: 'bye' });
  });

  it('variables offered to texts: declared, system, and those a question saves', () => {
    const g = addNode(base(), { id: 'q', type: 'ask', settings: { question: 'Q', branches: [{ id: 'yes', intent: 'yes', keywords: [] }], saveAs: 'answer' }, exits: {} });
    expect(knownVariables(g).map((v) => v.name)).toEqual(['name', 'phone', 'attempt', 'answer']);
  });

  it('a scenario made through the API gets positions, layer by layer from the start', () => {
    const g = layout(base());
    const y = Object.fromEntries(g.nodes.map((n) => [n.id, n.position!.y]));
    expect(y.start).toBeLessThan(y.hello!);
    expect(y.hello).toBeLessThan(y.bye!);
  });

  it('undo and redo; a burst of typing in one field is one step', () => {
    let now = 0;
    const h = new History(1, { now: () => now, mergeMs: 1000 });
    h.push(2);
    h.push(3, 'text');
    now = 500;
    h.push(4, 'text');
    expect(h.undo()).toBe(2);
    expect(h.undo()).toBe(1);
    expect(h.canUndo).toBe(false);
    expect(h.redo()).toBe(2);
    expect(h.redo()).toBe(4);
    h.undo();
    h.push(9);
    expect(h.canRedo).toBe(false);
  });
});

describe('the node form and the node on the graph', () => {
  it('shows each problem at its field and on top of the form', async () => {
    const g = base();
    g.nodes.push({ id: 'q', type: 'ask', settings: { question: '', branches: [{ id: 'maybe', keywords: [] }] }, exits: {} });
    const issues = issuesOf(g).filter((i) => i.nodeId === 'q');
    const w = await mountWithTexts(NodeForm, { props: { node: g.nodes[3]!, issues, variables: knownVariables(g), readonly: false, nodes: g.nodes } });
    const text = w.text();
    expect(text).toContain(t('console.scenarios.node_problems', { count: issues.length }));
    expect(text).toContain(t('validation.too_small_string', { minimum: 1 }));
    expect(text).toContain(t('validation.branch_needs_keywords'));
    w.unmount();
  });

  it('connects an exit from the form, by keyboard, without dragging', async () => {
    const g = base();
    const w = await mountWithTexts(NodeForm, { props: { node: g.nodes[1]!, issues: [], variables: knownVariables(g), readonly: false, nodes: g.nodes } });
    expect(w.text()).toContain(t('console.scenarios.exits_title'));
    const select = w.findAllComponents(Select).at(-1)!;
    select.vm.$emit('update:modelValue', 'start');
    select.vm.$emit('update:modelValue', '-');
    expect(w.emitted('connect')).toEqual([
      ['next', 'start'],
      ['next', null],
    ]);
    w.unmount();
  });

  it('marks the node with its number of problems and its unconnected required exits', async () => {
    const w = await mountWithTexts(FlowNode, {
      props: { id: 'q', data: { type: 'ask', title: 'q', summary: 'Q', exits: [{ name: 'yes', required: true, connected: false }, { name: 'noMatch', required: false, connected: false }], problems: 2, active: false, visited: false } },
      global: { stubs: { Handle: true } },
    });
    expect(w.get('[data-testid="node-problems"]').text()).toBe('2');
    expect(w.get('[data-node-id="q"]').attributes('aria-label')).toContain(t('console.scenarios.node_problems', { count: 2 }));
    w.unmount();
  });

  it('typing { offers the variables; the keyboard picks one', async () => {
    const w = await mountWithTexts(VariableText, {
      props: { modelValue: 'Hello ', 'onUpdate:modelValue': (v: string) => w.setProps({ modelValue: v }), variables: [{ name: 'name', description: 'first name' }, { name: 'phone', description: '' }], id: 'x', label: 'Text' },
    });
    const input = w.get('input');
    (input.element as HTMLInputElement).value = 'Hello {';
    (input.element as HTMLInputElement).setSelectionRange(7, 7);
    await input.trigger('input');
    await settle();
    const options = w.findAll('[role="option"]');
    expect(options.map((o) => o.text())).toEqual(['{name}first name', '{phone}']);
    await input.trigger('keydown', { key: 'ArrowDown' });
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(w.props('modelValue')).toBe('Hello {phone}');
    w.unmount();
  });
});
