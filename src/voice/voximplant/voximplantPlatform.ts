import crypto from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { HangupCause } from '../../core/outcome.js';
import type { Logger } from '../../log.js';
import type { OutboundHttp } from '../../net/outboundHttp.js';
import type { CallEvent, CallEventBody } from '../events.js';
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
import type { VoximplantConfig } from '../voiceConfig.js';
import { callToken } from './callToken.js';
import { VoximplantApi, VoximplantApiError } from './managementApi.js';
import type { DialInstruction, ScenarioEvent } from './protocol.js';
import { ruleName } from './setup.js';
import { awaitProviderCallId } from '../awaitProviderCallId.js';

/**
 * Voximplant behind the voice port. Each call is one session of Dozvon's VoxEngine scenario
 * (scenario.js), started by StartScenarios with only "<attemptId>.<token>" as custom data. The
 * scenario posts every event to `/voice/voximplant/events` and carries out the instruction Dozvon
 * answers with; so the scenario drives and the engine's `advance` decides, as with every platform.
 *
 * StartScenarios has no idempotency key: Dozvon answers the first session of an attempt "dial" and
 * any other "abort", so a retried request can never ring the callee twice; and a request whose
 * answer was lost finds its session through that session's own first callback.
 */
export interface VoximplantOptions {
  config: VoximplantConfig;
  http: OutboundHttp;
  engine: CallEngine;
  /** Keys the per-call tokens (src/voice/voximplant/callToken.ts). */
  callbackKey: Buffer;
  log: Logger;
  clock: Clock;
}

interface CallData {
  dial?: DialInstruction;
  controlUrl?: string;
}

/** How long a failed StartScenarios waits for its session's "started" (sent within a second of the start). */
const START_CONFIRM_MS = 5000;
const INVALID_NUMBER = new Set([404, 484, 604]);

export class VoximplantPlatform implements VoicePlatform {
  readonly name = 'voximplant';
  readonly api: VoximplantApi;
  private rule: Promise<number> | undefined;

  constructor(private readonly o: VoximplantOptions) {
    this.api = new VoximplantApi(o.config, o.http);
  }

  token(attemptId: string): string {
    return callToken(this.o.callbackKey, attemptId);
  }

  /** The rule the setup command created (looked up once per process; `voice-setup` must have run). */
  private ruleId(): Promise<number> {
    this.rule ??= (async () => {
      const r = await this.api.call<{ result: { rule_id: number; rule_name: string }[] }>('GetRules', { application_name: this.applicationName(), rule_name: ruleName(this.o.config) });
      const rule = r.result.find((x) => x.rule_name === ruleName(this.o.config));
      if (!rule) throw new VoicePlatformError(`Voximplant: rule "${ruleName(this.o.config)}" not found — run \`npm run cli -- voice-setup voximplant\``, true);
      return rule.rule_id;
    })().catch((e: unknown) => {
      this.rule = undefined;
      throw e;
    });
    return this.rule;
  }

  private applicationName(): string {
    return this.o.config.application;
  }

  async placeCall(req: PlaceCallRequest): Promise<PlacedCall> {
    const callerId = req.callerId ?? this.o.config.from;
    if (!callerId) throw new VoicePlatformError('Voximplant: no caller ID (set VOXIMPLANT_FROM or choose one in the template)', false);
    const dial: DialInstruction = {
      op: 'dial',
      to: req.dialString,
      callerId,
      trunk: req.trunk,
      amd: req.amd.mode,
      amdModel: req.language === 'ru' ? 'RU' : 'EU_GENERAL',
      greetingUrl: req.amd.mode === 'blocking' ? req.amd.greetingUrl : undefined,
      ringTimeoutSec: req.ringTimeoutSec,
      maxDurationSec: req.maxDurationSec,
    };
    // Kept before the session starts: its first callback may arrive before StartScenarios answers.
    await this.o.engine.remember(req.attemptId, { dial });
    const ruleId = await this.ruleId();
    let started: { call_session_history_id?: number; media_session_access_secure_url?: string; media_session_access_url?: string };
    try {
      started = await this.api.call('StartScenarios', { rule_id: ruleId, script_custom_data: `${req.attemptId}.${this.token(req.attemptId)}` });
    } catch (e) {
      const bound = e instanceof VoximplantApiError && e.ambiguous ? await awaitProviderCallId(this.o.engine, req.attemptId, START_CONFIRM_MS) : undefined;
      if (!bound) throw e;
      this.o.log.warn({ err: e, attemptId: req.attemptId, sessionId: bound }, 'StartScenarios failed but its session started: carrying on with it');
      return { providerCallId: bound };
    }
    const id = started.call_session_history_id;
    if (id === undefined) throw new VoicePlatformError('Voximplant: StartScenarios gave no session id', true);
    const controlUrl = started.media_session_access_secure_url ?? started.media_session_access_url;
    return { providerCallId: String(id), platformData: controlUrl ? { controlUrl } : undefined };
  }


  /** Asks the session to hang up (AppEvents.HttpRequest), signed with the call's token. */
  async hangup(call: LiveCall): Promise<void> {
    const url = (call.platformData as CallData | null)?.controlUrl;
    if (!url) throw new VoicePlatformError('Voximplant: no control URL for this call', false);
    const sig = crypto.createHmac('sha256', this.token(call.attemptId)).update(`hangup.${call.attemptId}`).digest('hex');
    const res = await this.o.http.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'hangup', sig }), timeoutMs: 10_000 });
    await res.body?.cancel().catch(() => undefined); // the session answers nothing of interest
    if (!res.ok && res.status !== 404) throw new VoicePlatformError(`Voximplant: hang-up request HTTP ${res.status}`, true);
  }

  /** Secure record storage: the same service-account JWT, sent only to Voximplant's own hosts. */
  async downloadRecording(source: string, o: { maxBytes: number }): Promise<DownloadedRecording> {
    const url = new URL(source);
    const ours = url.hostname.endsWith('.voximplant.com') || url.host === new URL(this.o.config.apiUrl).host;
    const res = await this.o.http.fetch(source, { headers: ours ? { authorization: this.api.authorization() } : {}, timeoutMs: 120_000, maxResponseBytes: o.maxBytes });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined); // the status says it all
      throw new VoicePlatformError(`Voximplant recording: HTTP ${res.status}`, true);
    }
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    const bytes = Buffer.from(await res.arrayBuffer());
    const contentType = type.includes('flac') || source.endsWith('.flac') ? 'audio/flac' : type.includes('wav') ? 'audio/wav' : 'audio/mpeg';
    // Stereo records: left = what the callee heard (bot, operator), right = the callee.
    return { bytes, contentType, calleeChannel: 1 };
  }

  async stop(): Promise<void> {
    // Sessions live at Voximplant; nothing of ours runs between callbacks.
  }

  /** Credentials, the application and the rule `voice-setup` creates. */
  async checkAccount(): Promise<AccountCheck> {
    const apps = await this.api.call<{ result: { application_id: number; application_name: string; secure_record_storage?: boolean }[] }>('GetApplications', { application_name: this.applicationName() });
    const app = apps.result.find((a) => a.application_name === this.applicationName() || a.application_name.startsWith(`${this.applicationName()}.`));
    if (!app) throw new VoicePlatformError(`Voximplant: no application "${this.applicationName()}" — run \`npm run cli -- voice-setup voximplant\``, false);
    const rule = await this.ruleId();
    return {
      facts: {
        api: this.o.config.apiUrl,
        account: String(this.o.config.accountId),
        application: app.application_name,
        secureRecords: String(app.secure_record_storage ?? 'unknown'),
        rule: `${ruleName(this.o.config)} (${rule})`,
        from: this.o.config.from ?? '',
      },
    };
  }

  // --- the scenario's callbacks -------------------------------------------------------------

  verify(attemptId: string, rawBody: string, timestamp: string | undefined, signature: string | undefined, nowSec: number): boolean {
    const ts = Number(timestamp);
    if (!signature || !Number.isInteger(ts) || Math.abs(nowSec - ts) > 300) return false;
    const expected = `sha256=${crypto.createHmac('sha256', this.token(attemptId)).update(`${ts}.${rawBody}`).digest('hex')}`;
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  /** One verified scenario event → the instruction to answer with. */
  async handle(ev: ScenarioEvent): Promise<Record<string, unknown>> {
    const e = this.o.engine;
    const state = await e.callState(ev.attemptId);
    if (!state) throw new VoicePlatformError(`no call ${ev.attemptId}`, false);
    const sid = state.providerCallId ?? 'unknown';
    switch (ev.type) {
      case 'started': {
        if (state.completed || (state.providerCallId && state.providerCallId !== ev.sessionId)) return { op: 'abort' };
        await this.emit(ev, ev.sessionId, { type: 'initiated' }, 0);
        const now = await e.callState(ev.attemptId);
        const dial = (now?.platformData as CallData | null)?.dial;
        // A second session of the same attempt (StartScenarios retried) is told to go away.
        if (!dial || now?.providerCallId !== ev.sessionId) return { op: 'abort' };
        return dial as unknown as Record<string, unknown>;
      }
      case 'ringing':
        await this.emit(ev, sid, { type: 'ringing' }, 0);
        return { ok: true };
      case 'amd':
        await this.emit(ev, sid, { type: 'amd', verdict: ev.verdict }, 0);
        // Background detection: a machine ends the call.
        return { op: ev.verdict === 'machine' && (state.platformData as CallData | null)?.dial?.amd === 'background' ? 'hangup' : 'continue' };
      case 'answered': {
        await this.emit(ev, sid, { type: 'answered' }, 0);
        if (ev.amd) await this.emit(ev, sid, { type: 'amd', verdict: ev.amd }, 1);
        return instruction(0, await e.advance(ev.attemptId, 0, { kind: 'answered', amd: ev.amd }));
      }
      case 'heard':
        return instruction(
          ev.step,
          await e.advance(ev.attemptId, ev.step, { kind: 'heard', text: ev.text, ...(ev.confidence !== undefined ? { confidence: ev.confidence } : {}), ...(ev.dtmf ? { dtmf: ev.dtmf } : {}) }),
        );
      case 'transferred':
        return instruction(ev.step, await e.advance(ev.attemptId, ev.step, { kind: 'transferred', connected: ev.connected, result: ev.result }));
      case 'ended':
        await this.emit(ev, sid, this.endedOf(ev), 0);
        return { ok: true };
    }
  }

  private endedOf(ev: Extract<ScenarioEvent, { type: 'ended' }>): CallEventBody {
    const answered = ev.talkSec > 0;
    const code = ev.failCode;
    let cause: HangupCause;
    if (answered) cause = 'answered';
    else if (ev.remote) cause = 'cancelled';
    else if (code === 486 || code === 603) cause = 'busy';
    else if (ev.ringTimeout || code === 408 || code === 480 || code === 487) cause = 'no_answer';
    else if (code !== undefined && INVALID_NUMBER.has(code)) cause = 'invalid_number';
    else cause = 'failed';
    const c = this.o.config;
    const reported = ev.cost !== undefined && ev.cost > 0 ? ev.cost : undefined;
    const rated = c.pricePerMinute !== undefined && answered ? Math.ceil(ev.talkSec / 60) * c.pricePerMinute : undefined;
    const cost = reported ?? rated;
    return {
      type: 'ended',
      cause,
      sipCode: answered ? 200 : code !== undefined && code >= 100 && code <= 699 ? code : cause === 'no_answer' ? 408 : null,
      durationSec: Math.round(ev.durationSec * 100) / 100,
      talkSec: Math.round(ev.talkSec * 100) / 100,
      answeredAt: null,
      recordingUrl: ev.recordingUrl ?? null,
      error: cause === 'failed' ? `Voximplant: ${ev.reason ?? 'call failed'}${code ? ` (${code})` : ''}` : null,
      ...(cost !== undefined ? { cost: Math.round(cost * 10_000) / 10_000, costCurrency: c.currency } : {}),
    };
  }

  private async emit(ev: ScenarioEvent, providerCallId: string, body: CallEventBody, k: number): Promise<void> {
    await this.o.engine.event({ ...body, attemptId: ev.attemptId, providerCallId, seq: ev.seq * 10 + k, at: this.o.clock.now().toISOString() } as CallEvent);
  }
}

/** The scenario's instruction for one step: the actions, how to speak and listen, and the step they answer. */
function instruction(step: number, r: StepReply): Record<string, unknown> {
  return { op: 'actions', step: step + 1, actions: r.actions, speech: r.speech };
}
