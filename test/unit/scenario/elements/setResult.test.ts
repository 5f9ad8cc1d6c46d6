import { describe, expect, it } from 'vitest';
import { setResult } from '../../../../src/scenario/elements/setResult.js';
import { toFieldIssues } from '../../../../src/core/validation.js';
import { runElement } from '../support/elementContext.js';

describe('setResult', () => {
  it('sets the result code and tags, without duplicates', async () => {
    expect(await runElement(setResult, { result: 'interested', tags: ['positive', 'hot', 'positive'] })).toEqual({
      exit: 'next',
      result: { code: 'interested', tags: ['positive', 'hot'] },
      detail: 'interested',
    });
  });

  it('a result may ask for another call after some minutes', async () => {
    expect(await runElement(setResult, { result: 'callback', redialAfterMinutes: 120 })).toMatchObject({
      result: { code: 'callback', tags: [], redialAfterMinutes: 120 },
    });
    expect(setResult.settingsSchema.safeParse({ result: 'callback', redialAfterMinutes: 0 }).success).toBe(false);
    expect(setResult.settingsSchema.safeParse({ result: 'callback', redialAfterMinutes: 1.5 }).success).toBe(false);
  });

  it('tags default to none', async () => {
    expect(await runElement(setResult, { result: 'callback' })).toMatchObject({ result: { code: 'callback', tags: [] } });
  });

  it.each(['Interested', 'not interested', '1st', '', 'x'.repeat(41)])('refuses the code %j with the result-code message', (result) => {
    const r = setResult.settingsSchema.safeParse({ result });
    expect(r.success).toBe(false);
    if (!r.success) expect(toFieldIssues(r.error)[0]?.key).toBe('validation.result_code');
  });

  it('refuses more than ten tags', () => {
    expect(setResult.settingsSchema.safeParse({ result: 'x', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }).success).toBe(false);
  });

  it('needs no media and awaits nothing, so there is nothing to abort midway', async () => {
    const call = new AbortController();
    call.abort('callee_hangup');
    expect(setResult.needs).toBe('none');
    expect(await runElement(setResult, { result: 'x' }, { signal: call.signal })).toMatchObject({ exit: 'next' });
  });
});
