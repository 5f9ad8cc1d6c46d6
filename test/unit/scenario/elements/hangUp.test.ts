import { describe, expect, it } from 'vitest';
import { hangUp } from '../../../../src/scenario/elements/hangUp.js';
import { CallAbortedError, isAbort } from '../../../../src/scenario/media.js';
import { runElement } from '../support/elementContext.js';
import { FakeMedia } from '../support/fakeMedia.js';

describe('hangUp (M14)', () => {
  it('says the goodbye, then ends the call', async () => {
    const media = new FakeMedia();
    const out = await runElement(hangUp, { text: 'Goodbye, {name}!' }, { media, vars: { name: 'Anna' } });
    expect(out).toEqual({ end: { kind: 'hangup' }, detail: 'Goodbye, Anna!' });
    expect(media.said).toEqual(['Goodbye, Anna!']);
    expect(media.hangups).toBe(1);
  });

  it('without a goodbye it hangs up silently', async () => {
    const media = new FakeMedia();
    const out = await runElement(hangUp, {}, { media });
    expect(out).toEqual({ end: { kind: 'hangup' }, detail: undefined });
    expect(media.said).toEqual([]);
    expect(media.hangups).toBe(1);
  });

  it('a goodbye made only of an empty variable is not spoken', async () => {
    const media = new FakeMedia();
    await runElement(hangUp, { text: '{name}' }, { media, vars: { name: '' } });
    expect(media.said).toEqual([]);
  });

  it('is terminal: no exits', () => {
    const s = hangUp.settingsSchema.parse({ text: 'Bye {name}' });
    expect(hangUp.exits(s)).toEqual([]);
    expect(hangUp.variablesUsed(s)).toEqual(['name']);
  });

  it('aborted midway: a callee hanging up during the goodbye is not hung up on again, and nothing is left pending', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['say'], onHold: () => call.abort(new CallAbortedError('callee_hangup')) });
    const error = await runElement(hangUp, { text: 'Goodbye!' }, { media, signal: call.signal }).catch((e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect(media.hangups).toBe(0);
    expect(media.pending).toBe(0);
    expect(media.listeners).toBe(0);
  });
});
