import type { TFunction } from 'i18next';
import type { AmdVerdict, HangupCause } from '../../core/outcome.js';
import { CallAbortedError, isAbort } from '../../scenario/media.js';
import type { CallEventBody } from '../events.js';
import type { ConversationHost, PlaceCallRequest } from '../port.js';
import type { CalleeProfile } from './callees.js';
import { Recorder } from './recorder.js';
import { SandboxMedia } from './sandboxMedia.js';
import { SimTime } from './simTime.js';
import { estimateSpeechMs } from './speech/index.js';

/**
 * One simulated call from dialling to hang-up: ringing, the network's answer (busy, no answer,
 * failure, a number that does not exist), or pick-up by a human or a machine; answering-machine
 * detection in the template's mode; the scenario dialogue through SandboxMedia; the recording.
 */

export interface SimulatedCallDeps {
  req: PlaceCallRequest;
  callee: CalleeProfile;
  timeScale: number;
  host: ConversationHost;
  t: TFunction;
  random: () => number;
  /** Sends one event (in order; resolves when delivered). */
  emit(event: CallEventBody): Promise<void>;
  /** Renders and stores the recording; returns the URL the engine downloads it from. */
  saveRecording(recorder: Recorder, talkMs: number): Promise<string>;
  /** The platform's clock (for the answer time it reports). */
  now(): Date;
  /** Downloads the AMD greeting WAV. */
  fetchGreeting(url: string): Promise<Buffer | undefined>;
  signal: AbortSignal;
}

/** Simulated seconds answering-machine detection needs for a verdict. */
const AMD_DECISION_MS = 2500;
const SHORT_CALL_HANGUP_MS = 1500;

export async function simulateCall(d: SimulatedCallDeps): Promise<void> {
  const time = new SimTime(d.timeScale);
  const { callee, req } = d;
  const ended = (cause: HangupCause, sipCode: number | null, extra: { talkMs?: number; answeredAt?: string | null; recordingUrl?: string | null; error?: string | null } = {}) =>
    d.emit({
      type: 'ended',
      cause,
      sipCode,
      durationSec: round((time.elapsedMs() + (extra.talkMs ?? 0)) / 1000),
      talkSec: round((extra.talkMs ?? 0) / 1000),
      answeredAt: extra.answeredAt ?? null,
      recordingUrl: extra.recordingUrl ?? null,
      error: extra.error ?? null,
    });

  try {
    // Network setup, then the outcomes that never reach a callee.
    await time.sleep(800, d.signal);
    if (callee.behaviour === 'invalid') return void (await ended('invalid_number', 404));
    if (callee.behaviour === 'failure') return void (await ended('failed', 503, { error: 'SIP 503 Service Unavailable' }));
    await d.emit({ type: 'ringing' });
    if (callee.behaviour === 'busy') {
      await time.sleep(2500, d.signal);
      return void (await ended('busy', 486));
    }
    if (callee.behaviour === 'no_answer' || callee.ringSec >= req.ringTimeoutSec) {
      await time.sleep(req.ringTimeoutSec * 1000, d.signal);
      return void (await ended('no_answer', 480));
    }
    await time.sleep(callee.ringSec * 1000, d.signal);
  } catch (e) {
    // The sender logs an event it could not deliver; a cancelled call has nothing more to do.
    if (isAbort(e)) return void (await ended('cancelled', 487).catch(() => undefined));
    throw e;
  }

  // Picked up.
  await d.emit({ type: 'answered' });
  const answeredAt = d.now().toISOString();
  const talk = new SimTime(d.timeScale);
  const recorder = new Recorder();
  const call = new AbortController();
  const onOuterAbort = () => call.abort(new CallAbortedError('cancelled'));
  d.signal.addEventListener('abort', onOuterAbort, { once: true });
  const isMachine = callee.behaviour === 'machine';
  const amdMode = req.amd.mode;
  let amdVerdict: AmdVerdict = 'not_checked';
  let error: string | null = null;

  // What the far end does on its own: a machine plays its greeting and beeps; a "short" callee
  // says hello and hangs up.
  if (isMachine) {
    const greeting = d.t('sandbox.machine.greeting');
    recorder.add({ atMs: 0, kind: 'speech', text: greeting, voice: 'machine' });
    recorder.add({ atMs: estimateSpeechMs(greeting, req.language) + 300, kind: 'beep' });
  } else {
    recorder.add({ atMs: 0, kind: 'speech', text: d.t('sandbox.callee.hello'), voice: callee.gender });
  }
  const at = (simMs: number, fn: () => void) => talk.at(simMs, fn);
  if (callee.behaviour === 'short') at(SHORT_CALL_HANGUP_MS, () => call.abort(new CallAbortedError('callee_hangup')));

  try {
    if (amdMode !== 'off') {
      const greetingWav = req.amd.greetingUrl ? await d.fetchGreeting(req.amd.greetingUrl) : undefined;
      if (greetingWav) recorder.add({ atMs: talk.elapsedMs(), kind: 'wav', wav: greetingWav });
      const verdict: AmdVerdict = isMachine ? 'machine' : 'human';
      if (amdMode === 'blocking') {
        // The bot keeps silent (the greeting fills the gap) until a human is confirmed.
        await talk.sleep(AMD_DECISION_MS, call.signal);
        amdVerdict = verdict;
        await d.emit({ type: 'amd', verdict });
      } else {
        // Background: the dialogue starts at once; a machine verdict cuts it.
        at(AMD_DECISION_MS, () => {
          amdVerdict = verdict;
          // Delivery failures are logged by the sender; the call goes on either way, as on a real platform.
          void d.emit({ type: 'amd', verdict }).catch(() => undefined);
          if (verdict === 'machine') call.abort(new CallAbortedError('machine_detected'));
        });
      }
    }
    // As for the AMD verdict: the sender logs what it could not deliver.
    if (req.genderDetection && !isMachine) at(1200, () => void d.emit({ type: 'gender', gender: callee.gender }).catch(() => undefined));

    if (amdVerdict !== 'machine') {
      const media = new SandboxMedia({
        time: talk,
        recorder,
        callee,
        machine: isMachine,
        lang: req.language,
        t: d.t,
        signal: call.signal,
        random: d.random,
      });
      await d.host.converse(req.attemptId, media, call.signal);
    }
  } catch (e) {
    if (!isAbort(e)) error = (e as Error).message;
  } finally {
    d.signal.removeEventListener('abort', onOuterAbort);
  }

  const talkMs = talk.elapsedMs();
  const cancelled = d.signal.aborted;
  let recordingUrl: string | null = null;
  try {
    recordingUrl = await d.saveRecording(recorder, talkMs);
  } catch (e) {
    error = error ?? `recording failed: ${(e as Error).message}`;
  }
  await ended(cancelled ? 'cancelled' : 'answered', cancelled ? 487 : 200, { talkMs, answeredAt, recordingUrl, error });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
