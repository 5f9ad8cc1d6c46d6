import { describe, expect, it } from 'vitest';
import { ask } from '../../../../src/scenario/elements/ask.js';
import { toFieldIssues } from '../../../../src/core/validation.js';
import { CallAbortedError, isAbort } from '../../../../src/scenario/media.js';
import { runElement } from '../support/elementContext.js';
import { FakeMedia } from '../support/fakeMedia.js';

const settings = {
  question: 'Are you interested in {product|our offer}?',
  reprompt: 'Sorry, yes or no?',
  branches: [
    { id: 'yes', intent: 'yes' },
    { id: 'no', intent: 'no' },
    { id: 'price', keywords: ['how much', 'price'] },
  ],
  saveAs: 'reply',
};

describe('ask (M10)', () => {
  it('asks the rendered question and takes the branch the answer belongs to', async () => {
    const media = new FakeMedia({ answers: ['Yes, sure'] });
    const out = await runElement(ask, settings, { media, vars: { product: 'the tariff' } });
    expect(out).toEqual({
      exit: 'yes',
      setVars: { reply: 'Yes, sure' },
      answer: { question: 'Are you interested in the tariff?', text: 'Yes, sure', branch: 'yes' },
      detail: 'Yes, sure',
    });
    expect(media.said).toEqual(['Are you interested in the tariff?']);
  });

  it('"not interested" is a no even though it contains "interested"', async () => {
    expect(await runElement(ask, settings, { media: new FakeMedia({ answers: ['I am not interested'] }) })).toMatchObject({ exit: 'no' });
  });

  it('a branch can be reached by its own keywords', async () => {
    expect(await runElement(ask, settings, { media: new FakeMedia({ answers: ['And how much is it?'] }) })).toMatchObject({ exit: 'price' });
  });

  it('tells the recogniser what to expect: every phrase of every branch, and the branches', async () => {
    const media = new FakeMedia({ answers: ['yes'] });
    await runElement(ask, { ...settings, timeoutSec: 7 }, { media });
    const [listen] = media.listens;
    expect(listen?.timeoutSec).toBe(7);
    expect(listen?.hints).toEqual(expect.arrayContaining(['how much', 'price', 'yes', 'не интересно', 'not interested']));
    expect(listen?.expect?.map((b) => b.id)).toEqual(['yes', 'no', 'price']);
  });

  it('after silence it says the reprompt and listens again', async () => {
    const media = new FakeMedia({ answers: ['', 'no'] });
    expect(await runElement(ask, settings, { media })).toMatchObject({ exit: 'no' });
    expect(media.said).toEqual(['Are you interested in our offer?', 'Sorry, yes or no?']);
  });

  it('without a reprompt it repeats the question', async () => {
    const media = new FakeMedia({ answers: ['mmm', 'yes'] });
    await runElement(ask, { ...settings, reprompt: '' }, { media });
    expect(media.said).toEqual(['Are you interested in our offer?', 'Are you interested in our offer?']);
  });

  it('silence through every retry leaves by "noInput"', async () => {
    const media = new FakeMedia();
    const out = await runElement(ask, { ...settings, retries: 2 }, { media });
    expect(out).toEqual({
      exit: 'noInput',
      setVars: { reply: '' },
      answer: { question: 'Are you interested in our offer?', text: '', branch: 'noInput' },
      detail: undefined,
    });
    expect(media.listens).toHaveLength(3);
  });

  it('an answer matching no branch through every retry leaves by "noMatch" with what was heard', async () => {
    const media = new FakeMedia({ answers: ['what?', 'who is this'] });
    const out = await runElement(ask, settings, { media });
    expect(out).toEqual({
      exit: 'noMatch',
      setVars: { reply: 'who is this' },
      answer: { question: 'Are you interested in our offer?', text: 'who is this', branch: 'noMatch' },
      detail: 'who is this',
    });
  });

  it('the last round decides between noMatch and noInput', async () => {
    expect(await runElement(ask, settings, { media: new FakeMedia({ answers: ['what?', ''] }) })).toMatchObject({ exit: 'noInput' });
    expect(await runElement(ask, settings, { media: new FakeMedia({ answers: ['', 'what?'] }) })).toMatchObject({ exit: 'noMatch' });
  });

  it('with no retries it asks once', async () => {
    const media = new FakeMedia();
    await runElement(ask, { ...settings, retries: 0 }, { media });
    expect(media.said).toHaveLength(1);
    expect(media.listens).toHaveLength(1);
  });

  it('without saveAs it sets no variable', async () => {
    const { saveAs: _, ...rest } = settings;
    expect(await runElement(ask, rest, { media: new FakeMedia({ answers: ['yes'] }) })).toMatchObject({ setVars: undefined });
  });

  it('declares its exits: every branch required, noMatch and noInput optional', () => {
    const s = ask.settingsSchema.parse(settings);
    expect(ask.exits(s)).toEqual([
      { name: 'yes', required: true },
      { name: 'no', required: true },
      { name: 'price', required: true },
      { name: 'noMatch', required: false },
      { name: 'noInput', required: false },
    ]);
    expect(ask.waitsForCallee).toBe(true);
    expect(ask.variablesUsed(ask.settingsSchema.parse({ ...settings, reprompt: 'Once more, {name}?' }))).toEqual(['product', 'name']);
    expect(ask.variablesSet(s)).toEqual(['reply']);
    expect(ask.branches?.(s).map((b) => b.id)).toEqual(['yes', 'no', 'price']);
  });

  it('has sensible defaults: 5 s to answer, one retry, no reprompt', () => {
    expect(ask.settingsSchema.parse({ question: 'Q?', branches: [{ id: 'yes', intent: 'yes' }] })).toEqual({
      question: 'Q?',
      reprompt: '',
      branches: [{ id: 'yes', intent: 'yes', keywords: [] }],
      timeoutSec: 5,
      retries: 1,
    });
  });

  it.each([
    [{ branches: [{ id: 'yes', intent: 'yes' }, { id: 'yes', intent: 'no' }] }, 'branches.1.id', 'validation.duplicate_exit'],
    [{ branches: [{ id: 'noInput', keywords: ['x'] }] }, 'branches.0.id', 'validation.duplicate_exit'],
    [{ branches: [{ id: 'maybe' }] }, 'branches.0.keywords', 'validation.branch_needs_keywords'],
    [{ branches: [{ id: 'да', intent: 'yes' }] }, 'branches.0.id', 'validation.exit_name'],
    [{ branches: [] }, 'branches', 'validation.too_small_array'],
    [{ branches: [{ id: 'yes', intent: 'maybe' }] }, 'branches.0.intent', 'validation.invalid_value'],
    [{ saveAs: 'reply.text' }, 'saveAs', 'validation.variable_name'],
    [{ timeoutSec: 0 }, 'timeoutSec', 'validation.too_small_number'],
    [{ retries: 4 }, 'retries', 'validation.too_big_number'],
  ])('refuses %j at %s with %s', (over, path, key) => {
    const r = ask.settingsSchema.safeParse({ ...settings, ...over });
    expect(r.success).toBe(false);
    if (!r.success) expect(toFieldIssues(r.error).map((i) => `${i.path} ${i.key}`)).toContain(`${path} ${key}`);
  });

  it('aborted midway: the callee hangs up while the bot waits for an answer, and nothing is left pending', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['listen'], onHold: () => call.abort(new CallAbortedError('callee_hangup')) });
    const error = await runElement(ask, settings, { media, signal: call.signal }).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect((error as CallAbortedError).reason).toBe('callee_hangup');
    expect(media.said).toHaveLength(1);
    expect(media.pending).toBe(0);
    expect(media.listeners).toBe(0);
  });

  it('aborted midway: an abort during the question never starts listening', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['say'], onHold: () => call.abort(new CallAbortedError('machine_detected')) });
    const error = await runElement(ask, settings, { media, signal: call.signal }).catch((e: unknown) => e);
    expect((error as CallAbortedError).reason).toBe('machine_detected');
    expect(media.listens).toEqual([]);
    expect(media.pending).toBe(0);
  });
});
