import { describe, expect, it } from 'vitest';
import { speak } from '../../../../src/scenario/elements/speak.js';
import { CallAbortedError, isAbort } from '../../../../src/scenario/media.js';
import { runElement } from '../support/elementContext.js';
import { FakeMedia } from '../support/fakeMedia.js';

describe('speak (M11)', () => {
  it('says the text with variables substituted and leaves by "next" without waiting for an answer', async () => {
    const media = new FakeMedia();
    const out = await runElement(speak, { text: 'Hello, {name|there}! About {product}.' }, { media, vars: { name: 'Anna', product: 'the tariff' } });
    expect(out).toEqual({ exit: 'next', detail: 'Hello, Anna! About the tariff.' });
    expect(media.said).toEqual(['Hello, Anna! About the tariff.']);
    expect(media.listens).toEqual([]);
  });

  it('speaks the fallback when the variable is empty', async () => {
    const media = new FakeMedia();
    await runElement(speak, { text: 'Hello, {name|dear customer}!' }, { media, vars: { name: '' } });
    expect(media.said).toEqual(['Hello, dear customer!']);
  });

  it('declares the variables it reads and its single required exit', () => {
    const s = speak.settingsSchema.parse({ text: '{a} and {b|x}' });
    expect(speak.variablesUsed(s)).toEqual(['a', 'b']);
    expect(speak.variablesSet(s)).toEqual([]);
    expect(speak.exits(s)).toEqual([{ name: 'next', required: true }]);
    expect(speak.needs).toBe('media');
    expect(speak.waitsForCallee).toBeFalsy();
  });

  it('refuses empty text', () => {
    expect(speak.settingsSchema.safeParse({ text: '  ' }).success).toBe(false);
    expect(speak.settingsSchema.safeParse({}).success).toBe(false);
  });

  it('aborted midway: the callee hangs up while the bot speaks, and nothing is left pending', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['say'], onHold: () => call.abort(new CallAbortedError('callee_hangup')) });
    const error = await runElement(speak, { text: 'A very long speech' }, { media, signal: call.signal }).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect((error as CallAbortedError).reason).toBe('callee_hangup');
    expect(media.pending).toBe(0);
    expect(media.listeners).toBe(0);
  });
});
