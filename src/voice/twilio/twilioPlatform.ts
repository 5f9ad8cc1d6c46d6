import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../log.js';
import type { OutboundHttp } from '../../net/outboundHttp.js';
import type { CallEvent } from '../events.js';
import {
  VoicePlatformError,
  type CallEngine,
  type DownloadedRecording,
  type LiveCall,
  type PlaceCallRequest,
  type PlacedCall,
  type AccountCheck,
  type StepReply,
  type VoicePlatform,
} from '../port.js';
import type { TwilioFamilyConfig } from '../voiceConfig.js';
import { PROFILES, verdictOf, type TwilioProfile } from './profiles.js';
import { isAmbiguous, TwilioRest, type Params } from './restClient.js';
import { verifySignature, type SignedRequest } from './signature.js';
import { endedEvent, STATUS_SEQ, TERMINAL_STATUSES } from './statusEvents.js';
import { renderActions, renderDial, renderGreeting, renderWait, type RenderOptions } from './twiml.js';
import { awaitProviderCallId } from '../awaitProviderCallId.js';

/**
 * Twilio, SignalWire and Telnyx behind the voice port (one adapter, one profile per provider).
 * Dozvon creates each call by REST with per-call URLs under `/voice/<profile>/calls/<attemptId>/`:
 *   answer            the call connected (step 0; with `AnsweredBy` when detection blocks)
 *   heard/<n>         a `<Gather>` ended: input n (what was said or pressed, or nothing)
 *   dialed/<n>?i=     a `<Dial>` ended: input n (a sequential transfer tries the next number first)
 *   amdwait/<k>       a greeting plays while background detection runs (blocking mode with greeting)
 *   status, amd, recording   progress, the asynchronous AMD verdict, the finished recording
 * Each webhook is answered from the database in milliseconds (well inside the 15 s limit), and the
 * step number in the path makes a retried webhook return the same TwiML.
 */
export type WebhookKind = 'answer' | 'heard' | 'dialed' | 'amdwait' | 'status' | 'amd' | 'recording';

export interface Webhook {
  kind: WebhookKind;
  attemptId: string;
  /** The number in the path (heard/dialed: the input's step; amdwait: the round). */
  n: number | undefined;
  query: Record<string, string>;
  params: Record<string, string>;
}

export interface TwilioPlatformOptions {
  config: TwilioFamilyConfig;
  http: OutboundHttp;
  engine: CallEngine;
  publicUrl(): string;
  log: Logger;
  clock: Clock;
}

/** How long a greeting may keep the callee waiting for the machine verdict (1 s per round). */
const AMD_WAIT_ROUNDS = 40;
const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
/** How long a failed create waits for the call's "initiated" callback (sent within a second of creation). */
const CREATE_CONFIRM_MS = 3000;

interface CallData {
  amd?: PlaceCallRequest['amd']['mode'];
  greetingUrl?: string;
  from?: string;
  accountSid?: string;
}

export class TwilioFamilyPlatform implements VoicePlatform {
  readonly name: TwilioProfile['name'];
  private readonly profile: TwilioProfile;
  private readonly rest: TwilioRest;

  constructor(private readonly o: TwilioPlatformOptions) {
    this.profile = PROFILES[o.config.profile];
    this.name = this.profile.name;
    this.rest = new TwilioRest(o.config, this.profile, o.http);
  }

  // --- placing and ending calls ---------------------------------------------------------------

  async placeCall(req: PlaceCallRequest): Promise<PlacedCall> {
    const from = req.callerId ?? this.o.config.from;
    if (!from) throw new VoicePlatformError(`${this.name}: no caller ID (set ${this.name.toUpperCase()}_FROM or choose one in the template)`, false);
    const url = (tail: string) => this.callUrl(req.attemptId, tail);
    const json = this.profile.encoding === 'json';
    const amd = req.amd.mode;
    const greeting = amd === 'blocking' && req.amd.greetingUrl ? req.amd.greetingUrl : undefined;
    const params: Params = {
      To: req.trunk ? `sip:${req.dialString.replace(/^\+/, '')}@${req.trunk}` : req.dialString,
      From: from,
      Url: url('answer'),
      Method: 'POST',
      StatusCallback: url('status'),
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: json ? STATUS_EVENTS.join(' ') : STATUS_EVENTS,
      Timeout: req.ringTimeoutSec,
      TimeLimit: req.maxDurationSec,
    };
    if (amd !== 'off') {
      params.MachineDetection = 'Enable';
      params.MachineDetectionTimeout = this.profile.amdTimeoutUnit === 'ms' ? 30_000 : 30;
      // Blocking without a greeting: Twilio holds the call until the verdict, then fetches `Url`
      // with AnsweredBy. Background, or blocking with a greeting to fill the silence: the verdict
      // arrives on its own callback while the call goes on.
      if (amd === 'background' || greeting) {
        params.AsyncAmd = json ? true : 'true';
        params.AsyncAmdStatusCallback = url(`amd?cut=${amd === 'background' ? 1 : 0}`);
        params.AsyncAmdStatusCallbackMethod = 'POST';
      }
    }
    if (this.profile.recordByRequest) {
      params.Record = json ? true : 'true';
      params.RecordingChannels = 'dual';
      params.RecordingStatusCallback = url('recording');
      params.RecordingStatusCallbackMethod = 'POST';
      params.RecordingStatusCallbackEvent = ['completed', 'absent'];
    }
    if (json) params.ApplicationSid = this.o.config.accountId;
    let created: Record<string, unknown>;
    await this.paceCreate();
    try {
      created = await this.rest.createCall(params);
    } catch (e) {
      // The request may have created the call before failing. Creating another would ring the
      // callee twice: the call's own first callback (it binds itself to the attempt) tells.
      const bound = isAmbiguous(e) ? await awaitProviderCallId(this.o.engine, req.attemptId, CREATE_CONFIRM_MS) : undefined;
      if (!bound) throw e;
      this.o.log.warn({ err: e, attemptId: req.attemptId, callSid: bound }, 'the create request failed but the call exists: carrying on with it');
      created = { sid: bound };
    }
    const sid = String(created.sid ?? created.call_sid ?? '');
    if (!sid) throw new VoicePlatformError(`${this.name}: the created call has no id`, true);
    const data: CallData = { amd, from, ...(greeting ? { greetingUrl: greeting } : {}) };
    const account = created.account_sid ?? created.AccountSid;
    if (typeof account === 'string') data.accountSid = account;
    return { providerCallId: sid, platformData: data as Record<string, unknown> };
  }

  private nextCreateAt = 0;

  /**
   * The dispatcher grants start slots under the account's calls per second across processes, but
   * the work between a slot and this request (the attempt's rows) takes longer on a loaded server,
   * so two requests can still leave close together — and the provider queues the second. Here,
   * right before the request, this process keeps its creates 1/cps apart (a wait, never a refusal).
   */
  private async paceCreate(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextCreateAt);
    this.nextCreateAt = at + 1000 / this.o.config.cps;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }


  async hangup(call: LiveCall): Promise<void> {
    const account = (call.platformData as CallData | null)?.accountSid;
    try {
      await this.rest.updateCall(call.providerCallId, { Status: 'completed' }, account);
    } catch (e) {
      // A call still ringing is stopped with "canceled"; "completed" only ends one in progress.
      if (e instanceof VoicePlatformError && !e.technical) await this.rest.updateCall(call.providerCallId, { Status: 'canceled' }, account);
      else throw e;
    }
  }

  async downloadRecording(source: string, o: { maxBytes: number }): Promise<DownloadedRecording> {
    const { bytes, contentType } = await this.rest.download(source, o.maxBytes);
    const type = contentType.includes('mpeg') || contentType.includes('mp3') ? 'audio/mpeg' : contentType.includes('wav') ? 'audio/wav' : undefined;
    if (!type) throw new VoicePlatformError(`${this.name}: recording of unexpected type "${contentType}"`, true);
    // Dual-channel call recordings carry the call's own leg (the callee) first.
    return { bytes, contentType: type, calleeChannel: 0 };
  }

  async deleteRecording(source: string): Promise<void> {
    if (this.profile.name === 'telnyx') return; // its links expire by themselves; deleting needs the account id
    await this.rest.deleteRecording(source.replace(/\.(wav|mp3)$/, '.json'));
  }

  async stop(): Promise<void> {
    // Nothing of ours runs between webhooks: the calls live at the provider.
  }

  async checkAccount(): Promise<AccountCheck> {
    const a = await this.rest.account();
    const data = (a.data ?? a) as Record<string, unknown>;
    return {
      facts: {
        api: this.o.config.apiUrl,
        account: String(data.sid ?? data.id ?? this.o.config.accountId),
        name: String(data.friendly_name ?? ''),
        status: String(data.status ?? 'active'),
        from: this.o.config.from ?? '',
        webhooks: `${this.o.publicUrl()}/voice/${this.name}/calls/…`,
      },
    };
  }

  // --- webhooks ---------------------------------------------------------------------------------

  verify(r: SignedRequest): boolean {
    return verifySignature(this.profile.name, this.o.config.webhookKey, r);
  }

  /** Handles one verified webhook; returns the TwiML to answer with, or undefined for an empty 204. */
  async handle(h: Webhook): Promise<string | undefined> {
    const log = this.o.log.child({ attemptId: h.attemptId, platform: this.name });
    const state = await this.o.engine.callState(h.attemptId);
    const sid = h.params.CallSid ?? '';
    if (!state) throw new VoicePlatformError(`no call ${h.attemptId}`, false);
    // A session this attempt does not own (its create timed out and the attempt was closed, so a
    // new attempt calls again): it must not reach the callee — hang it up at its first sign of life.
    const foreign = state.completed || (state.providerCallId !== null && sid !== '' && state.providerCallId !== sid);
    // What a hang-up of this call needs (Telnyx: the account, also in every callback).
    const control: Record<string, unknown> = { ...(state.platformData ?? {}), ...(h.params.AccountSid && !(state.platformData as CallData | null)?.accountSid ? { accountSid: h.params.AccountSid } : {}) };
    switch (h.kind) {
      case 'status':
        return this.onStatus(h, state.completed, foreign, control, log);
      case 'amd':
        return this.onAmd(h, foreign, control);
      case 'recording':
        await this.emit(h.attemptId, sid, { type: 'recording', recordingUrl: this.recordingUrlOf(h.params) }, 6);
        return undefined;
      default:
        if (foreign) {
          log.warn({ callSid: sid }, 'a call reached the callee for an attempt that is over: hung up');
          return renderActions([{ kind: 'hangup' }], this.renderOptions(h.attemptId, 0, undefined, state.platformData));
        }
        return this.onStep(h, state.platformData as CallData | null, state.amdVerdict);
    }
  }

  private async onStatus(h: Webhook, completed: boolean, foreign: boolean, control: Record<string, unknown>, log: Logger): Promise<undefined> {
    const status = h.params.CallStatus ?? '';
    const sid = h.params.CallSid ?? '';
    if (foreign) {
      if (!TERMINAL_STATUSES.has(status)) {
        log.warn({ callSid: sid, status }, 'a call is alive for an attempt that is over: hanging it up');
        await this.hangup({ attemptId: h.attemptId, providerCallId: sid, platformData: control }).catch((e: unknown) => log.warn({ err: e }, 'hanging up a stray call failed'));
      }
      if (completed) return undefined;
    }
    const seq = STATUS_SEQ[status];
    if (seq === undefined) return undefined;
    if (status === 'initiated' || status === 'queued') await this.emit(h.attemptId, sid, { type: 'initiated' }, seq);
    else if (status === 'ringing') await this.emit(h.attemptId, sid, { type: 'ringing' }, seq);
    else if (status === 'in-progress' || status === 'answered') await this.emit(h.attemptId, sid, { type: 'answered' }, seq);
    else if (TERMINAL_STATUSES.has(status)) await this.emit(h.attemptId, sid, endedEvent(h.params, this.o.config, this.profile.name), seq);
    return undefined;
  }

  private async onAmd(h: Webhook, foreign: boolean, control: Record<string, unknown>): Promise<undefined> {
    const verdict = verdictOf(h.params.AnsweredBy);
    const sid = h.params.CallSid ?? '';
    if (!verdict || foreign) return undefined;
    await this.emit(h.attemptId, sid, { type: 'amd', verdict }, 5);
    // Background detection: a machine ends the call at once (the greeting mode waits in amdwait).
    if (verdict === 'machine' && h.query.cut === '1') await this.hangup({ attemptId: h.attemptId, providerCallId: sid, platformData: control });
    return undefined;
  }

  private async onStep(h: Webhook, data: CallData | null, knownVerdict: string | null): Promise<string> {
    const sid = h.params.CallSid ?? '';
    const e = this.o.engine;
    switch (h.kind) {
      case 'answer': {
        await this.emit(h.attemptId, sid, { type: 'answered' }, STATUS_SEQ['in-progress']!);
        const syncVerdict = verdictOf(h.params.AnsweredBy);
        if (syncVerdict) await this.emit(h.attemptId, sid, { type: 'amd', verdict: syncVerdict }, 5);
        if (data?.amd === 'blocking' && data.greetingUrl && !syncVerdict) {
          // The greeting fills the silence while detection runs; then wait for its verdict.
          return renderGreeting(data.greetingUrl, this.callUrl(h.attemptId, 'amdwait/1'), this.recordingPrelude(h.attemptId));
        }
        const reply = await e.advance(h.attemptId, 0, { kind: 'answered', amd: data?.amd === 'blocking' ? (syncVerdict ?? 'not_sure') : undefined });
        return this.render(h.attemptId, 0, reply, data, true);
      }
      case 'amdwait': {
        const round = h.n ?? 1;
        const verdict = knownVerdict === 'human' || knownVerdict === 'machine' || knownVerdict === 'not_sure' ? knownVerdict : undefined;
        if (!verdict && round < AMD_WAIT_ROUNDS) return renderWait(this.callUrl(h.attemptId, `amdwait/${round + 1}`));
        const reply = await e.advance(h.attemptId, 0, { kind: 'answered', amd: verdict ?? 'not_sure' });
        return this.render(h.attemptId, 0, reply, data, false);
      }
      case 'heard': {
        const n = h.n ?? 0;
        const confidence = Number(h.params.Confidence);
        const reply = await e.advance(h.attemptId, n, {
          kind: 'heard',
          text: h.params.SpeechResult ?? '',
          ...(Number.isFinite(confidence) && h.params.Confidence ? { confidence: Math.max(0, Math.min(1, confidence)) } : {}),
          ...(h.params.Digits ? { dtmf: h.params.Digits } : {}),
        });
        return this.render(h.attemptId, n, reply, data, false);
      }
      case 'dialed': {
        const n = h.n ?? 0;
        const status = h.params.DialCallStatus ?? 'failed';
        const connected = status === 'completed' || status === 'answered';
        const i = Number(h.query.i ?? 0);
        if (!connected) {
          // A sequential transfer tries its next number before the scenario hears "not connected".
          const before = await e.repeat(h.attemptId, n - 1);
          const transfer = before.actions.find((a) => a.kind === 'transfer');
          if (transfer?.kind === 'transfer' && transfer.strategy === 'sequential' && i + 1 < transfer.to.length) {
            return renderDial(transfer, this.renderOptions(h.attemptId, n - 1, before, data), i + 1);
          }
        }
        const result = connected ? 'answered' : status === 'busy' ? 'busy' : status === 'no-answer' ? 'no_answer' : 'failed';
        const reply = await e.advance(h.attemptId, n, { kind: 'transferred', connected, result });
        return this.render(h.attemptId, n, reply, data, false);
      }
      default:
        throw new VoicePlatformError(`unexpected webhook ${h.kind}`, false);
    }
  }

  private render(attemptId: string, step: number, reply: StepReply, data: CallData | null, first: boolean): string {
    const o = this.renderOptions(attemptId, step, reply, data);
    if (first) o.prelude = this.recordingPrelude(attemptId);
    return renderActions(reply.actions, o);
  }

  /** Telnyx records from the first document on (both sides on separate channels); the others from the request. */
  private recordingPrelude(attemptId: string): RenderOptions['prelude'] {
    if (this.profile.recordByRequest) return undefined;
    return (r) => {
      r.start().recording({
        channels: 'dual',
        recordingStatusCallback: this.callUrl(attemptId, 'recording'),
        recordingStatusCallbackEvent: 'completed absent',
        format: 'wav',
      } as never);
    };
  }

  private renderOptions(attemptId: string, step: number, reply: StepReply | undefined, data: CallData | Record<string, unknown> | null): RenderOptions {
    const next = step + 1;
    return {
      profile: this.profile,
      speech: reply?.speech ?? { language: 'ru', locale: 'ru-RU', voice: undefined, recognizer: undefined },
      urls: { heard: this.callUrl(attemptId, `heard/${next}`), dialed: (i) => this.callUrl(attemptId, `dialed/${next}?i=${i}`) },
      callerId: (data as CallData | null)?.from ?? this.o.config.from,
    };
  }

  private recordingUrlOf(p: Record<string, string>): string | null {
    if (p.RecordingStatus && p.RecordingStatus !== 'completed') return null;
    const url = p.RecordingUrl;
    if (!url) return null;
    // Twilio and SignalWire give the resource without an extension: ask for the WAV (lossless).
    return this.profile.name === 'telnyx' || /\.(wav|mp3)$/.test(url) ? url : `${url}.wav`;
  }

  private async emit(attemptId: string, providerCallId: string, body: Record<string, unknown>, seq: number): Promise<void> {
    await this.o.engine.event({ ...body, attemptId, providerCallId: providerCallId || 'unknown', seq, at: this.o.clock.now().toISOString() } as CallEvent);
  }

  callUrl(attemptId: string, tail: string): string {
    return `${this.o.publicUrl()}/voice/${this.name}/calls/${attemptId}/${tail}`;
  }
}
