import { decodeWav } from '../../../src/voice/audio/index.js';
import { Recorder } from '../../../src/voice/sandbox/recorder.js';
import { estimateSpeechMs } from '../../../src/voice/sandbox/speech/index.js';
import { calleeOf, replyOf, transferTargetOf, type EmulatedCallee } from '../voiceShared/callees.js';
import type { VoxSession } from './voxSession.js';

/**
 * A VoxEngine `Call` object as the emulator's scenario sees it: events in the platform's order
 * (Ringing → Connected → … → Disconnected → RecordStopped; never Disconnected before Connected,
 * Failed instead), say/startPlayback with PlaybackFinished, DTMF after handleTones, ASR results after
 * sendMediaTo, and the callee of the sandbox's magic numbers at the far end. A transfer leg (a second
 * callPSTN) answers, is busy or rings out by its number's ending.
 */
type Listener = (e: Record<string, unknown>) => void;

export const CALL_EVENTS = {
  Ringing: 'Call.Ringing',
  Connected: 'Call.Connected',
  Failed: 'Call.Failed',
  Disconnected: 'Call.Disconnected',
  PlaybackFinished: 'Call.PlaybackFinished',
  ToneReceived: 'Call.ToneReceived',
  RecordStarted: 'Call.RecordStarted',
  RecordStopped: 'Call.RecordStopped',
  RecordError: 'Call.RecordError',
} as const;

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();
  addEventListener(name: string, fn: Listener): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  removeEventListener(name: string, fn?: Listener): void {
    this.listeners.set(name, fn ? (this.listeners.get(name) ?? []).filter((f) => f !== fn) : []);
  }
  dispatch(name: string, e: Record<string, unknown>): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) fn({ name, ...e });
  }
}

export class VoxCall extends Emitter {
  readonly callee: EmulatedCallee;
  private st: 'PROGRESSING' | 'ALERTING' | 'CONNECTED' | 'TERMINATED' = 'PROGRESSING';
  private answers: EmulatedCallee['answers'];
  private tones = false;
  private playing: { timer: number; resolve: () => void } | undefined;
  private asr: VoxAsr | undefined;
  private recording = false;
  private connectedAt = 0;
  private peer: VoxCall | undefined;
  /** Set by AMD.create when passed to callPSTN. */
  amd: Emitter | undefined;
  readonly lineRec = new Recorder();
  readonly calleeRec = new Recorder();
  lang: 'ru' | 'en' = 'ru';

  constructor(
    private readonly session: VoxSession,
    readonly number: string,
    readonly transferLeg: boolean,
  ) {
    super();
    this.callee = calleeOf(number, session.emulator.callees);
    this.answers = [...this.callee.answers];
    if (transferLeg) this.runLeg();
    else this.run();
  }

  private sim(): number {
    return this.session.simNow() - this.connectedAt;
  }

  private later(simMs: number, fn: () => void): number {
    return this.session.timer(simMs, fn);
  }

  private run(): void {
    const c = this.callee;
    this.later(800, () => {
      if (this.st === 'TERMINATED') return;
      if (c.behaviour === 'invalid') return this.fail(404, 'Not Found');
      if (c.behaviour === 'failure') return this.fail(503, 'Service Unavailable');
      this.st = 'ALERTING';
      this.dispatch(CALL_EVENTS.Ringing, { call: this });
      if (c.behaviour === 'busy') return void this.later(2500, () => this.fail(486, 'Busy Here'));
      // Nobody answers: VoxEngine fails the call after 60 s (the scenario's own ring timer comes first).
      if (c.behaviour === 'no_answer') return void this.later(60_000, () => this.fail(408, 'Request Timeout'));
      this.later(c.ringSec * 1000, () => this.connect());
    });
  }

  private runLeg(): void {
    const b = transferTargetOf(this.number);
    this.later(500, () => {
      if (this.st === 'TERMINATED') return;
      if (b === 'fail') return this.fail(404, 'Not Found');
      this.st = 'ALERTING';
      this.dispatch(CALL_EVENTS.Ringing, { call: this });
      if (b === 'busy') return void this.later(2000, () => this.fail(486, 'Busy Here'));
      if (b === 'no_answer') return void this.later(60_000, () => this.fail(408, 'Request Timeout'));
      this.later(3000, () => {
        if (this.st === 'TERMINATED') return;
        this.st = 'CONNECTED';
        this.connectedAt = this.session.simNow();
        this.dispatch(CALL_EVENTS.Connected, { call: this, headers: {} });
        // The operator greets, talks a while, and hangs up.
        this.later(300, () => this.peer?.heardFromPeer(this.lang === 'ru' ? 'Здравствуйте, оператор слушает' : 'Hello, this is the operator'));
        this.later(6000, () => this.hangup());
      });
    });
  }

  private connect(): void {
    if (this.st === 'TERMINATED') return;
    this.st = 'CONNECTED';
    this.connectedAt = this.session.simNow();
    this.session.record.answered = true;
    const machine = this.callee.behaviour === 'machine';
    if (machine) {
      this.calleeRec.add({ atMs: 0, kind: 'speech', text: 'Оставьте сообщение после сигнала', voice: 'machine' });
      this.calleeRec.add({ atMs: 3200, kind: 'beep' });
    } else this.calleeRec.add({ atMs: 0, kind: 'speech', text: 'Алло', voice: this.callee.gender });
    this.dispatch(CALL_EVENTS.Connected, { call: this, headers: {} });
    const amd = this.amd;
    if (amd) {
      this.later(2500, () => {
        if (this.st !== 'CONNECTED') return amd.dispatch('AMD.Events.DetectionComplete', { call: this, callId: 'c1', resultClass: 'CALL_ENDED' });
        amd.dispatch('AMD.Events.DetectionComplete', { call: this, callId: 'c1', resultClass: machine ? 'VOICEMAIL' : 'HUMAN', resultSubtype: 'NONE', confidence: 87 });
      });
    }
    if (this.callee.behaviour === 'short') this.later(1500, () => this.remoteHangup());
  }

  private fail(code: number, reason: string): void {
    if (this.st === 'TERMINATED') return;
    this.st = 'TERMINATED';
    this.dispatch(CALL_EVENTS.Failed, { call: this, code, reason });
  }

  private remoteHangup(): void {
    this.end('callee hung up');
  }

  private end(reason: string): void {
    if (this.st === 'TERMINATED') return;
    // Hung up before the answer: the call fails with 487, never Disconnected.
    if (this.st !== 'CONNECTED') return this.fail(487, 'Request Terminated');
    this.st = 'TERMINATED';
    this.stopPlaybackSilently();
    const duration = Math.round(this.sim() / 1000);
    const cost = Math.round(Math.ceil(Math.max(1, duration) / 60) * 0.0123 * 10_000) / 10_000;
    if (!this.transferLeg) this.session.record.talkMs = this.sim();
    this.session.tick(() => {
      this.dispatch(CALL_EVENTS.Disconnected, { call: this, internalCode: 200, reason, duration, cost, direction: 'outgoing' });
      if (this.recording) {
        this.later(300, () => {
          void this.session.finishRecording(this).then((r) => this.dispatch(CALL_EVENTS.RecordStopped, { call: this, url: r.url, cost: 0.0021, duration }));
        });
      }
    });
  }

  // --- the Call API the scenario uses -------------------------------------------------------

  state(): string {
    return this.st;
  }

  hangup(): void {
    this.end('hangup');
  }

  handleTones(on: boolean): void {
    this.tones = on;
  }

  record(p: { stereo?: boolean; lossless?: boolean }): void {
    if (!p.stereo || !p.lossless) this.session.record.errors.push('record() without stereo+lossless: Dozvon asks for both');
    this.recording = true;
    const url = this.session.recordingUrl();
    this.session.tick(() => this.dispatch(CALL_EVENTS.RecordStarted, { call: this, url }));
  }

  say(text: string, opts: { voice?: string } = {}): void {
    this.stopPlaybackSilently();
    if (!opts.voice) this.session.record.errors.push('say() without a voice (VoxEngine would use Amazon en_US_Joanna)');
    this.session.record.voices.push(opts.voice ?? '');
    if (text.length > 1500) {
      this.session.tick(() => this.dispatch(CALL_EVENTS.PlaybackFinished, { call: this, error: 'text too long' }));
      return;
    }
    this.session.record.said.push(text);
    this.lang = /[а-яё]/i.test(text) ? 'ru' : 'en';
    this.lineRec.add({ atMs: this.sim(), kind: 'speech', text, voice: 'bot' });
    this.play(estimateSpeechMs(text, this.lang));
  }

  startPlayback(url: string): void {
    this.stopPlaybackSilently();
    this.session.record.played.push(url);
    let resolveMs: (ms: number) => void = () => undefined;
    const duration = new Promise<number>((r) => (resolveMs = r));
    void fetch(url, { signal: AbortSignal.timeout(12_000) })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const wav = Buffer.from(await res.arrayBuffer());
        this.lineRec.add({ atMs: this.sim(), kind: 'wav', wav });
        const pcm = decodeWav(wav);
        resolveMs((pcm.samples.length * 1000) / pcm.sampleRate);
      })
      .catch((e: unknown) => {
        this.session.record.errors.push(`startPlayback ${url}: ${(e as Error).message}`);
        resolveMs(0);
      });
    const token = {};
    this.playToken = token;
    void duration.then((ms) => {
      if (this.playToken === token) this.play(ms);
    });
  }

  private playToken: object | undefined;

  private play(ms: number): void {
    let resolve: () => void = () => undefined;
    const done = new Promise<void>((r) => (resolve = r));
    const timer = this.later(ms, () => {
      this.playing = undefined;
      resolve();
      this.dispatch(CALL_EVENTS.PlaybackFinished, { call: this });
      this.calleeMayAnswer();
    });
    this.playing = { timer, resolve };
    void done;
  }

  stopPlayback(): void {
    this.stopPlaybackSilently();
  }

  /** `stopPlayback` finishes any media without a PlaybackFinished. */
  private stopPlaybackSilently(): void {
    this.playToken = undefined;
    if (this.playing) {
      this.session.cancelTimer(this.playing.timer);
      this.playing = undefined;
    }
  }

  sendMediaTo(unit: unknown): void {
    if (unit instanceof VoxAsr) {
      this.asr = unit;
      if (!this.playing) this.calleeMayAnswer();
    }
  }

  stopMediaTo(unit: unknown): void {
    if (unit === this.asr) this.asr = undefined;
  }

  sendDigits(): void {}

  addPeer(peer: VoxCall): void {
    this.peer = peer;
  }

  heardFromPeer(text: string): void {
    this.lineRec.add({ atMs: this.sim(), kind: 'speech', text, voice: 'operator' });
  }

  /** After the prompt, the callee answers the listening scenario: by voice to the ASR, or by a key. */
  private calleeMayAnswer(): void {
    if (this.st !== 'CONNECTED' || this.transferLeg || this.callee.behaviour === 'machine') return;
    const asr = this.asr;
    if (!asr && !this.tones) return;
    const next = this.answers[0];
    const reply = replyOf(next, this.lang);
    if (!reply.speech && !reply.dtmf) return;
    this.later(600, () => {
      if (this.st !== 'CONNECTED') return;
      if (reply.dtmf && this.tones) {
        this.answers.shift();
        this.session.record.heard.push(`dtmf:${reply.dtmf}`);
        this.dispatch(CALL_EVENTS.ToneReceived, { call: this, tone: reply.dtmf, type: 1 });
        return;
      }
      if (!reply.speech || this.asr !== asr || !asr) return;
      this.answers.shift();
      asr.dispatch('ASR.CaptureStarted', { asr });
      this.calleeRec.add({ atMs: this.sim(), kind: 'speech', text: reply.speech, voice: this.callee.gender });
      this.later(estimateSpeechMs(reply.speech, this.lang), () => {
        if (this.asr !== asr) return;
        this.session.record.heard.push(reply.speech!);
        asr.dispatch('ASR.Result', { asr, text: reply.speech, confidence: asr.scale100 ? 93 : 0.93 });
      });
    });
  }
}

/** A VoxEngine ASR unit; one profile reports confidence on 0..100 to exercise the scenario's normalising. */
export class VoxAsr extends Emitter {
  readonly scale100: boolean;
  constructor(readonly profile: string) {
    super();
    this.scale100 = profile.startsWith('yandexv3');
  }
  stop(): void {}
}
