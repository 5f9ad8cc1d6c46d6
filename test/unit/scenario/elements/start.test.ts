import { describe, expect, it } from 'vitest';
import { start } from '../../../../src/scenario/elements/start.js';
import { runElement } from '../support/elementContext.js';
import { FakeMedia } from '../support/fakeMedia.js';

describe('start (M1)', () => {
  it('leaves by "next" at once and touches no media', async () => {
    const media = new FakeMedia();
    expect(await runElement(start, {}, { media })).toEqual({ exit: 'next' });
    expect(media.said).toEqual([]);
    expect(start.needs).toBe('none');
  });

  it('has one required exit and no settings', () => {
    expect(start.exits({})).toEqual([{ name: 'next', required: true }]);
    expect(start.settingsSchema.safeParse({ text: 'x' }).success).toBe(false);
  });

  it('awaits no media, so an aborted call cannot stop it midway; the interpreter checks the signal between elements', async () => {
    const call = new AbortController();
    call.abort('callee_hangup');
    expect(await runElement(start, {}, { signal: call.signal })).toEqual({ exit: 'next' });
  });
});
