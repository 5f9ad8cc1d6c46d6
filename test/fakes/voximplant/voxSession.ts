import crypto from 'node:crypto';
import vm from 'node:vm';
import { CAPABILITIES } from '../../../src/voice/capabilities.js';
import { stereoFlac } from '../voiceShared/recording.js';
import type { VoxEmulatorState } from './emulator.js';
import { VirtualTimers } from './virtualTimers.js';
import { CALL_EVENTS, Emitter, VoxAsr, VoxCall } from './voxCall.js';

/**
 * One VoxEngine session: the scenario text as uploaded (Dozvon's scenario.js with its PUBLIC_URL)
 * run in `node:vm` against a fake runtime with VoxEngine's names and limits — customData ≤ 200 bytes,
 * at most 3 HTTP requests at once and 35 pending (then an exception), a 90 s default timeout that can
 * only be lowered (code -7), -4 when the connection is refused, at most 100 timers, one request and
 * no timers once Terminating. Time runs at the emulator's scale, so the scenario's own timers
 * (ring timeout, listening) shrink with it.
 */
export interface SessionRecord {
  sessionId: number;
  customData: string;
  to: string | undefined;
  answered: boolean;
  said: string[];
  played: string[];
  heard: string[];
  voices: string[];
  legs: { to: string; result: string }[];
  errors: string[];
  posts: { type: string; status: number; ms: number }[];
  /** The last callback exactly as sent (to replay it). */
  lastPost: { url: string; headers: Record<string, string>; body: string } | undefined;
  recordingId: string | undefined;
  talkMs: number;
  terminated: boolean;
}

const APP_EVENTS = { Started: 'Application.Started', HttpRequest: 'Application.HttpRequest', Terminating: 'Application.Terminating', Terminated: 'Application.Terminated' };
const ASR_EVENTS = { Started: 'ASR.Started', CaptureStarted: 'ASR.CaptureStarted', SpeechCaptured: 'ASR.SpeechCaptured', Result: 'ASR.Result', InterimResult: 'ASR.InterimResult', Stopped: 'ASR.Stopped', ASRError: 'ASR.ASRError' };

/** `VoiceList` / `ASRProfileList` as nested objects whose leaves are their own dotted names. */
function tree(ids: string[], leaf: (id: string) => string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const id of ids) {
    const parts = id.split('.');
    let node = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = leaf(id);
      else node = (node[p] ??= {}) as Record<string, unknown>;
    });
  }
  return root;
}

export class VoxSession {
  readonly record: SessionRecord;
  private readonly app = new Emitter();
  private readonly clock: VirtualTimers;
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private terminating = false;
  private terminated = false;
  private requestsAfterTerminating = 0;
  /** The session's clock starts at the real time it started and then runs virtually (virtualTimers.ts). */
  private readonly epoch = Date.now();
  private calls: VoxCall[] = [];
  private recordingId: string | undefined;
  readonly done: Promise<void>;
  private finish: () => void = () => undefined;

  constructor(
    readonly emulator: VoxEmulatorState,
    readonly sessionId: number,
    private readonly script: string,
    private readonly customData: string,
    readonly controlToken: string,
  ) {
    this.record = { sessionId, customData, to: undefined, answered: false, said: [], played: [], heard: [], voices: [], legs: [], errors: [], posts: [], lastPost: undefined, recordingId: undefined, talkMs: 0, terminated: false };
    this.done = new Promise((r) => (this.finish = r));
    this.clock = new VirtualTimers(emulator.scale);
  }

  /** Simulated ms since the session started. */
  simNow(): number {
    return this.clock.now();
  }

  timer(simMs: number, fn: () => void): number {
    return this.clock.schedule(simMs, () => {
      if (!this.terminated) fn();
    });
  }

  cancelTimer(id: number): void {
    this.clock.cancel(id);
  }

  tick(fn: () => void): void {
    this.timer(0, fn);
  }

  recordingUrl(): string {
    this.recordingId ??= crypto.randomUUID();
    return `${this.emulator.base}/records/${this.recordingId}.flac`;
  }

  async finishRecording(call: VoxCall): Promise<{ url: string }> {
    const url = this.recordingUrl();
    const bytes = await stereoFlac(call.calleeRec, call.lineRec, this.record.talkMs, call.lang);
    this.emulator.recordings.set(this.recordingId!, { bytes, secure: this.emulator.secureRecords() });
    this.record.recordingId = this.recordingId;
    return { url };
  }

  start(): void {
    const now = () => this.epoch + this.simNow();
    const scaledDate = class extends Date {
      static override now(): number {
        return now();
      }
      constructor(...args: unknown[]) {
        if (args.length) super(...(args as [number]));
        else super(now());
      }
    };
    const voiceIds = CAPABILITIES.voximplant.voices.map((v) => v.id);
    const sandbox = {
      VoxEngine: {
        addEventListener: (n: string, fn: (e: Record<string, unknown>) => void) => this.app.addEventListener(n, fn),
        removeEventListener: (n: string, fn?: (e: Record<string, unknown>) => void) => this.app.removeEventListener(n, fn),
        customData: () => {
          if (Buffer.byteLength(this.customData) > 200) throw new Error('customData is longer than 200 bytes');
          return this.customData;
        },
        callPSTN: (number: string, callerId: string, params?: { amd?: Emitter }) => this.dial(number, callerId, params),
        callSIP: (uri: string, p?: { callerid?: string }) => this.dial(uri, p?.callerid ?? '', undefined),
        createASR: (p: { profile?: string }) => {
          if (!p.profile) throw new Error('createASR: profile is required');
          return new VoxAsr(p.profile);
        },
        sendMediaBetween: (a: VoxCall, b: VoxCall) => {
          a.addPeer(b);
          b.addPeer(a);
        },
        stopMediaBetween: () => undefined,
        terminate: () => this.terminate(),
      },
      AppEvents: APP_EVENTS,
      CallEvents: CALL_EVENTS,
      ASREvents: ASR_EVENTS,
      ASRProfileList: tree(CAPABILITIES.voximplant.recognizers as string[], (id) => id.toLowerCase().replace('.', '-')),
      VoiceList: tree(voiceIds, (id) => id),
      AMD: {
        create: (p: { model?: string }) => {
          if (!p.model) throw new Error('AMD.create: model is required');
          return new Emitter();
        },
        Events: { DetectionComplete: 'AMD.Events.DetectionComplete', DetectionError: 'AMD.Events.DetectionError' },
        Model: { RU: 'ru', EU_GENERAL: 'eu_general', US: 'us', KZ: 'kz' },
        ResultClass: { HUMAN: 'HUMAN', VOICEMAIL: 'VOICEMAIL', TIMEOUT: 'TIMEOUT', CALL_ENDED: 'CALL_ENDED' },
      },
      Modules: { ASR: 'asr', Recorder: 'recorder' },
      require: () => undefined,
      Net: { httpRequestAsync: (url: string, o: Record<string, unknown>) => this.http(url, o) },
      Crypto: { hmac_sha256: (key: string, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest('hex') },
      Logger: { write: (m: string) => void this.record.errors.push(`log: ${String(m).slice(0, 300)}`) },
      setTimeout: (fn: () => void, ms: number) => {
        if (this.terminating) throw new Error('no timers after Terminating');
        if (this.clock.size >= 100) throw new Error('more than 100 timers');
        return this.timer(ms, fn);
      },
      clearTimeout: (t: number) => this.cancelTimer(t),
      Date: scaledDate,
      console: undefined,
      process: undefined,
    };
    const context = vm.createContext(sandbox);
    new vm.Script(this.script, { filename: 'dozvon-scenario.js' }).runInContext(context);
    this.tick(() => this.app.dispatch(APP_EVENTS.Started, { accessURL: '', accessSecureURL: '', accountId: 1, applicationId: 1, logURL: '', sessionId: this.sessionId }));
  }

  private dial(number: string, callerId: string, params: { amd?: Emitter } | undefined): VoxCall {
    const first = this.calls.length === 0;
    if (!callerId) this.record.errors.push(`call to ${number} without a caller ID`);
    const call = new VoxCall(this, number, !first);
    if (params?.amd) call.amd = params.amd;
    this.calls.push(call);
    if (first) this.record.to = number;
    else {
      const leg = { to: number, result: 'ringing' };
      this.record.legs.push(leg);
      call.addEventListener(CALL_EVENTS.Connected, () => (leg.result = 'answered'));
      call.addEventListener(CALL_EVENTS.Failed, (e) => (leg.result = `failed ${String(e.code)}`));
    }
    return call;
  }

  /** A POST to the session's control URL arrives as AppEvents.HttpRequest. */
  deliverHttp(content: string): void {
    this.tick(() => this.app.dispatch(APP_EVENTS.HttpRequest, { method: 'POST', path: '/', content, headers: [] }));
  }

  private async http(url: string, o: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.terminated) throw new Error('the session is over');
    if (this.terminating && ++this.requestsAfterTerminating > 1) throw new Error('only one request is allowed after Terminating');
    if (this.active + this.queue.length >= 35) throw new Error('Exceeded the HTTP connection count limit!');
    if (this.active >= 3) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    const started = performance.now();
    const timeoutSec = Math.min(90, Number(o.timeout ?? 90));
    let type = 'unknown';
    try {
      type = String((JSON.parse(String(o.postData ?? '{}')) as { type?: string }).type ?? 'unknown');
    } catch {
      // not JSON: logged as unknown
    }
    const headers = { 'user-agent': 'VoxEngine/1.0', ...((o.headers as Record<string, string>) ?? {}) };
    this.record.lastPost = { url, headers, body: String(o.postData ?? '') };
    try {
      const res = await fetch(url, {
        method: String(o.method ?? 'GET'),
        headers,
        body: o.postData as string | undefined,
        signal: AbortSignal.timeout(timeoutSec * 1000),
      });
      const text = await res.text();
      this.record.posts.push({ type, status: res.status, ms: performance.now() - started });
      return { code: res.status, text, headers: Array.from(res.headers as unknown as Iterable<[string, string]>, ([key, value]) => ({ key, value })) };
    } catch (e) {
      const name = (e as Error).name;
      const code = name === 'TimeoutError' ? -7 : -4;
      this.record.posts.push({ type, status: code, ms: performance.now() - started });
      return { code, error: (e as Error).message };
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  terminate(): void {
    if (this.terminating) return;
    this.terminating = true;
    for (const c of this.calls) if (c.state() !== 'TERMINATED') c.hangup();
    this.app.dispatch(APP_EVENTS.Terminating, {});
    // Pending requests get a moment; then the session is gone with its timers.
    setTimeout(() => {
      this.terminated = true;
      this.record.terminated = true;
      this.clock.stop();
      this.app.dispatch(APP_EVENTS.Terminated, {});
      this.finish();
    }, 50);
  }
}
