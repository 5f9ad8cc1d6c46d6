import { describe, expect, it } from 'vitest';
import type { ResolvedRedirect } from '../../../../src/scenario/elements/contract.js';
import { transfer } from '../../../../src/scenario/elements/transfer.js';
import { CallAbortedError, isAbort, type TransferTarget } from '../../../../src/scenario/media.js';
import { runElement } from '../support/elementContext.js';
import { FakeMedia } from '../support/fakeMedia.js';

describe('transfer (T6: the template’s default redirect)', () => {
  it('"hang up" says the text and ends the call', async () => {
    const media = new FakeMedia();
    const out = await runElement(transfer, { text: 'Goodbye.' }, { media, redirect: { kind: 'hangup' } });
    expect(out).toEqual({ end: { kind: 'hangup' }, detail: 'hangup' });
    expect(media.said).toEqual(['Goodbye.']);
    expect(media.hangups).toBe(1);
    expect(media.transfers).toEqual([]);
  });

  const phone: TransferTarget = { kind: 'phone', number: '+74959898533', dialPlanId: 'dp' };
  const direction: TransferTarget = { kind: 'direction', directionId: 'sales', numbers: ['101', '102'], ringTimeoutSec: 30 };
  const custom: TransferTarget = { kind: 'custom', target: 'sip:sales@pbx.example.com' };
  it.each([
    [phone, '+74959898533'],
    [direction, 'sales'],
    [custom, 'sip:sales@pbx.example.com'],
  ])('a transfer to %j hands the call over and names the target', async (target, detail) => {
    const media = new FakeMedia({ transfer: { connected: false } });
    const out = await runElement(transfer, { text: 'Connecting you.' }, { media, redirect: { kind: 'transfer', target } });
    expect(out).toEqual({ end: { kind: 'transfer', target, connected: false }, detail });
    expect(media.said).toEqual(['Connecting you.']);
    expect(media.transfers).toEqual([target]);
    expect(media.hangups).toBe(0);
  });

  it('the step log names who answered when the platform says so', async () => {
    const media = new FakeMedia({ transfer: { connected: true, answeredBy: '102' } });
    const out = await runElement(transfer, {}, { media, redirect: { kind: 'transfer', target: direction } });
    expect(out).toEqual({ end: { kind: 'transfer', target: direction, connected: true }, detail: '102' });
    expect(media.said).toEqual([]);
  });

  it('"another scenario" switches the call to it without hanging up', async () => {
    const media = new FakeMedia();
    const redirect: ResolvedRedirect = { kind: 'scenario', scenarioId: 'support-bot' };
    const out = await runElement(transfer, { text: 'One moment.' }, { media, redirect });
    expect(out).toEqual({ end: { kind: 'switch_scenario', scenarioId: 'support-bot' }, detail: 'support-bot' });
    expect(media.said).toEqual(['One moment.']);
    expect(media.hangups).toBe(0);
    expect(media.transfers).toEqual([]);
  });

  it('is terminal and reads the variables of its text', () => {
    const s = transfer.settingsSchema.parse({ text: '{name}, connecting' });
    expect(transfer.exits(s)).toEqual([]);
    expect(transfer.variablesUsed(s)).toEqual(['name']);
  });

  it('aborted midway: the callee hangs up while the operator’s phone rings, and nothing is left pending', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['transfer'], onHold: () => call.abort(new CallAbortedError('callee_hangup')) });
    const error = await runElement(transfer, { text: 'Connecting.' }, { media, signal: call.signal, redirect: { kind: 'transfer', target: phone } }).catch(
      (e: unknown) => e,
    );
    expect(isAbort(error)).toBe(true);
    expect(media.transfers).toEqual([phone]);
    expect(media.pending).toBe(0);
    expect(media.listeners).toBe(0);
  });

  it('aborted midway: an abort during the announcement never starts the transfer', async () => {
    const call = new AbortController();
    const media = new FakeMedia({ signal: call.signal, hold: ['say'], onHold: () => call.abort('operator_takeover') });
    const error = await runElement(transfer, { text: 'Connecting.' }, { media, signal: call.signal, redirect: { kind: 'transfer', target: phone } }).catch(
      (e: unknown) => e,
    );
    expect((error as CallAbortedError).reason).toBe('operator_takeover');
    expect(media.transfers).toEqual([]);
    expect(media.pending).toBe(0);
  });
});
