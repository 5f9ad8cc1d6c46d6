import { decodeWav } from '../../../src/voice/audio/index.js';
import { Recorder } from '../../../src/voice/sandbox/recorder.js';
import { SimTime } from '../../../src/voice/sandbox/simTime.js';
import { estimateSpeechMs } from '../../../src/voice/sandbox/speech/index.js';
import { replyOf, type EmulatedCallee, type TransferTargetBehaviour } from '../voiceShared/callees.js';
import { silentStereoWav, stereoWav } from '../voiceShared/recording.js';
import type { Profile, WebhookRecord } from './emulator.js';
import { telnyxSignature, twilioSignature, type TelnyxKeys } from './signing.js';
import { parseTwiml, TwimlError, type Verb } from './twiml.js';

/**
 * One call on the emulated provider, from the REST create to the recording callback:
 *   initiated → ringing → in-progress → Url fetched (sync AMD: after detection, with AnsweredBy;
 *   async: at once, the verdict posted separately) → TwiML executed verb by verb, each Gather /
 *   Dial action fetching the next document → completed (CallDuration, SipResponseCode) → the
 *   recording callback a moment later. Busy, no answer, failures and a callee hanging up follow the
 *   sandbox's magic numbers.
 */
export interface CallRecord {
  sid: string;
  to: string;
  from: string;
  status: string;
  answeredBy: string | undefined;
  /** What the bot said (Say texts), in order. */
  said: string[];
  /** Each Gather as Dozvon wrote it (attributes). */
  gathers: Record<string, string>[];
  /** What the callee answered (speech or keys). */
  heard: string[];
  dials: { to: string[]; result: string }[];
  played: string[];
  /** Problems the provider would log (TwiML errors, failed webhooks). */
  errors: string[];
  voices: string[];
  queueMs: number;
  talkSec: number;
  recordingId: string | undefined;
  ended: boolean;
  /** When the create request arrived (real ms). */
  createdAt: number;
  /** When the call started (real ms; later than createdAt when queued past the account's CPS). */
  startedAt: number;
  /** When the callee picked up (real ms); undefined when never answered. */
  answeredAt: number | undefined;
}

interface Options {
  sid: string;
  profile: Profile;
  fields: Record<string, string | string[]>;
  eventList: string[];
  callee: EmulatedCallee;
  transferTarget(n: string): TransferTargetBehaviour;
  scale: number;
  startDelayMs: number;
  account: { sid: string; key: string; telnyx: TelnyxKeys };
  shuffle: boolean;
  speechInRecordings: boolean;
  onWebhook(w: WebhookRecord): void;
  saveRecording(bytes: Buffer): { id: string; url: string };
}

const VOICE_OK: Record<Profile, RegExp> = {
  twilio: /^(man|woman|alice|Polly\.[A-Za-z]+(-Neural|-Generative)?|Google\.[a-z]{2}-[A-Z]{2}-[A-Za-z0-9-]+)$/,
  signalwire: /^(man|woman|alice|Polly\.[A-Za-z]+(-Neural)?|gcloud\.[A-Za-z0-9.-]+)$/,
  telnyx: /^(man|woman|Polly\.[A-Za-z]+(-Neural)?|ElevenLabs\.[A-Za-z0-9.-]+)$/,
};

class CallEnded extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'AbortError';
  }
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export class EmulatedTwilioCall {
  readonly record: CallRecord;
  readonly done: Promise<void>;
  private readonly end = new AbortController();
  private phase: 'queued' | 'ringing' | 'in-progress' | 'ended' = 'queued';
  private seq = 0;
  private readonly statusQueue: Record<string, string>[] = [];
  private readonly callee = new Recorder();
  private readonly line = new Recorder();
  private talk = new SimTime(1);
  private answers: EmulatedCallee['answers'];
  private recordingOn = false;
  private lang: 'ru' | 'en' = 'ru';

  constructor(private readonly o: Options) {
    this.record = {
      sid: o.sid,
      to: one(o.fields.To) ?? '',
      from: one(o.fields.From) ?? '',
      status: 'queued',
      answeredBy: undefined,
      said: [],
      gathers: [],
      heard: [],
      dials: [],
      played: [],
      errors: [],
      voices: [],
      queueMs: o.startDelayMs,
      talkSec: 0,
      recordingId: undefined,
      ended: false,
      createdAt: Date.now(),
      startedAt: 0,
      answeredAt: undefined,
    };
    this.answers = [...o.callee.answers];
    this.talk = new SimTime(o.scale);
    this.recordingOn = one(o.fields.Record) === 'true';
    this.done = this.run().catch((e: unknown) => {
      this.record.errors.push(`emulator: ${(e as Error).message}`);
    });
  }

  /** REST `Status=completed` (hang up a call in progress) or `canceled` (stop one not yet answered). */
  requestEnd(status: string): 'ok' | string {
    if (this.phase === 'ended') return 'ok';
    if (status === 'completed' && this.phase !== 'in-progress') return 'Call is not in-progress: use Status=canceled';
    if (status === 'canceled' && this.phase === 'in-progress') return 'Call is in progress: use Status=completed';
    this.end.abort(new CallEnded(status === 'canceled' ? 'api_canceled' : 'api_completed'));
    return 'ok';
  }

  private sleep(simMs: number, time: SimTime = this.talk): Promise<void> {
    return time.sleep(simMs, this.end.signal);
  }

  private async run(): Promise<void> {
    const c = this.o.callee;
    const ring = new SimTime(this.o.scale);
    await new Promise((r) => setTimeout(r, this.o.startDelayMs));
    this.record.startedAt = Date.now();
    const timeout = Number(one(this.o.fields.Timeout) ?? 60);
    let outcome: { status: string; sip: number } | undefined;
    try {
      await this.status('initiated');
      await this.sleep(800, ring);
      if (c.behaviour === 'invalid') outcome = { status: 'failed', sip: 404 };
      else if (c.behaviour === 'failure') outcome = { status: 'failed', sip: 503 };
      else {
        this.phase = 'ringing';
        await this.status('ringing');
        if (c.behaviour === 'busy') {
          await this.sleep(2500, ring);
          outcome = { status: 'busy', sip: 486 };
        } else if (c.behaviour === 'no_answer' || c.ringSec >= timeout) {
          await this.sleep(timeout * 1000, ring);
          outcome = { status: 'no-answer', sip: 487 };
        } else {
          await this.sleep(c.ringSec * 1000, ring);
        }
      }
    } catch (e) {
      if (!(e instanceof CallEnded)) throw e;
      outcome = { status: 'canceled', sip: 487 };
    }
    if (outcome) return this.finish(outcome.status, outcome.sip, 0);
    await this.conversation();
    await this.finish('completed', 200, Math.max(1, Math.ceil(this.talk.elapsedMs() / 1000)));
  }

  private async conversation(): Promise<void> {
    const c = this.o.callee;
    const machine = c.behaviour === 'machine';
    this.phase = 'in-progress';
    this.record.answeredAt = Date.now();
    await this.status('in-progress');
    if (machine) {
      this.callee.add({ atMs: 0, kind: 'speech', text: this.lang === 'ru' ? 'Оставьте сообщение после сигнала' : 'Please leave a message after the tone', voice: 'machine' });
      this.callee.add({ atMs: 3200, kind: 'beep' });
    } else {
      this.callee.add({ atMs: 0, kind: 'speech', text: this.lang === 'ru' ? 'Алло' : 'Hello', voice: c.gender });
    }
    if (c.behaviour === 'short') this.talk.at(1500, () => this.end.abort(new CallEnded('callee_hangup')));
    const amd = one(this.o.fields.MachineDetection);
    const asyncAmd = one(this.o.fields.AsyncAmd) === 'true';
    const answeredBy = machine ? (this.o.profile === 'telnyx' ? 'machine' : amd === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start') : 'human';
    const answerParams: Record<string, string> = {};
    try {
      if (amd && amd !== 'Disable') {
        this.record.answeredBy = answeredBy;
        if (asyncAmd) {
          const cb = one(this.o.fields.AsyncAmdStatusCallback);
          if (cb) this.talk.at(2500, () => void this.post(cb, { AnsweredBy: answeredBy, MachineDetectionDuration: '2500' }, 'amd').catch(() => undefined));
        } else {
          await this.sleep(2500);
          answerParams.AnsweredBy = answeredBy;
        }
      }
      let doc: string | undefined = await this.fetchDoc(one(this.o.fields.Url)!, answerParams, 'answer');
      while (doc !== undefined) doc = await this.execute(doc);
    } catch (e) {
      if (e instanceof CallEnded) return;
      if (e instanceof TwimlError) {
        this.record.errors.push(`${e.code}: ${e.message}`);
        return;
      }
      throw e;
    }
  }

  /** Executes one document; returns the next one (a Gather/Dial action or a Redirect), or undefined when the call is over. */
  private async execute(xml: string): Promise<string | undefined> {
    const verbs = parseTwiml(xml);
    for (const v of verbs) {
      switch (v.name) {
        case 'Say':
          await this.say(v);
          break;
        case 'Play':
          await this.play(v);
          break;
        case 'Pause':
          await this.sleep(Number(v.attrs.length ?? 1) * 1000);
          break;
        case 'Start':
          for (const r of v.children) if (r.name === 'Recording') this.startRecording(r);
          break;
        case 'Gather': {
          const next = await this.gather(v);
          if (next !== null) return next;
          break;
        }
        case 'Dial': {
          const next = await this.dial(v);
          if (next !== null) return next;
          break;
        }
        case 'Redirect':
          return this.fetchDoc(v.text.trim(), {}, 'redirect');
        case 'Hangup':
        case 'Reject':
          return undefined;
      }
    }
    return undefined; // the document ran out: the provider hangs up
  }

  private async say(v: Verb): Promise<void> {
    const voice = v.attrs.voice ?? 'man';
    const language = v.attrs.language ?? 'en-US';
    this.record.voices.push(voice);
    if (!VOICE_OK[this.o.profile].test(voice) || (this.o.profile === 'telnyx' && (voice === 'man' || voice === 'woman') && language !== 'en-US')) {
      throw new TwimlError(13520, `invalid Say voice "${voice}" for ${language}`);
    }
    const text = v.text.trim();
    this.record.said.push(text);
    this.line.add({ atMs: this.talk.elapsedMs(), kind: 'speech', text, voice: 'bot' });
    await this.sleep(estimateSpeechMs(text, language.startsWith('ru') ? 'ru' : 'en'));
  }

  private async play(v: Verb): Promise<void> {
    const url = v.text.trim();
    this.record.played.push(url);
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    const type = res?.headers.get('content-type') ?? '';
    if (!res?.ok || !/^audio\//.test(type)) {
      await res?.body?.cancel().catch(() => undefined); // the failure is what is recorded
      this.record.errors.push(`13227: could not play ${url} (HTTP ${res?.status ?? 'error'}, ${type})`);
      return;
    }
    const wav = Buffer.from(await res.arrayBuffer());
    let ms = 1000;
    try {
      const pcm = decodeWav(wav);
      ms = (pcm.samples.length * 1000) / pcm.sampleRate;
    } catch {
      // not a WAV: played for a second
    }
    this.line.add({ atMs: this.talk.elapsedMs(), kind: 'wav', wav });
    await this.sleep(ms);
  }

  /** Runs a Gather; returns the action's document, or null to continue with the next verb. */
  private async gather(v: Verb): Promise<string | undefined | null> {
    this.record.gathers.push(v.attrs);
    const lang = (v.attrs.language ?? 'en-US').startsWith('ru') ? 'ru' : 'en';
    this.lang = lang;
    if (this.o.profile === 'twilio' && v.attrs.speechTimeout === 'auto' && !v.attrs.speechModel) this.record.errors.push('13335: speechTimeout auto needs a speech model');
    for (const c of v.children) {
      if (c.name === 'Say') await this.say(c);
      else if (c.name === 'Play') await this.play(c);
      else if (c.name === 'Pause') await this.sleep(Number(c.attrs.length ?? 1) * 1000);
    }
    const inputs = (v.attrs.input ?? 'dtmf').split(/\s+/);
    const machine = this.o.callee.behaviour === 'machine';
    const answer = machine ? {} : replyOf(this.answers.shift(), lang);
    const params: Record<string, string> = {};
    if (answer.dtmf && inputs.includes('dtmf')) {
      await this.sleep(800);
      params.Digits = answer.dtmf;
      this.record.heard.push(`dtmf:${answer.dtmf}`);
    } else if (answer.speech && inputs.includes('speech')) {
      await this.sleep(600);
      this.callee.add({ atMs: this.talk.elapsedMs(), kind: 'speech', text: answer.speech, voice: this.o.callee.gender });
      await this.sleep(estimateSpeechMs(answer.speech, lang));
      params.SpeechResult = answer.speech;
      params.Confidence = '0.93';
      this.record.heard.push(answer.speech);
    } else {
      await this.sleep(Number(v.attrs.timeout ?? 5) * 1000);
    }
    if (!params.Digits && !params.SpeechResult && v.attrs.actionOnEmptyResult !== 'true') return null;
    if (!v.attrs.action) {
      this.record.errors.push('Gather without action: the current document is requested again');
      return null;
    }
    return this.fetchDoc(v.attrs.action, params, 'heard');
  }

  private async dial(v: Verb): Promise<string | undefined | null> {
    const to = v.children.filter((c) => c.name === 'Number' || c.name === 'Sip').map((c) => c.text.trim());
    const timeout = Number(v.attrs.timeout ?? 30);
    const behaviours = to.map((n) => this.o.transferTarget(n));
    const answered = behaviours.indexOf('answer');
    let status: string;
    let duration = 0;
    this.line.add({ atMs: this.talk.elapsedMs(), kind: 'ringback', ms: 3000 });
    if (answered >= 0) {
      await this.sleep(3000);
      const greeting = this.lang === 'ru' ? 'Здравствуйте, оператор слушает' : 'Hello, this is the operator';
      this.line.add({ atMs: this.talk.elapsedMs(), kind: 'speech', text: greeting, voice: 'operator' });
      await this.sleep(estimateSpeechMs(greeting, this.lang) + 4000);
      status = 'completed';
      duration = 6;
    } else if (behaviours.includes('busy')) {
      await this.sleep(2000);
      status = 'busy';
    } else if (behaviours.includes('fail') || to.length === 0) {
      await this.sleep(500);
      status = 'failed';
    } else {
      await this.sleep(timeout * 1000);
      status = 'no-answer';
    }
    this.record.dials.push({ to, result: status });
    if (!v.attrs.action) return status === 'completed' ? undefined : null;
    return this.fetchDoc(v.attrs.action, { DialCallStatus: status, DialCallSid: `CA${this.o.sid.slice(2, 10)}child`, DialCallDuration: String(duration) }, 'dialed');
  }

  private startRecording(r: Verb): void {
    this.recordingOn = true;
    if (r.attrs.channels && r.attrs.channels !== 'dual') this.record.errors.push(`recording channels ${r.attrs.channels}: Dozvon asks for dual`);
    this.startRecordingCallback = r.attrs.recordingStatusCallback;
  }

  private startRecordingCallback: string | undefined;

  private async fetchDoc(url: string, extra: Record<string, string>, kind: string): Promise<string | undefined> {
    const res = await this.post(url, extra, kind);
    if (res.status < 200 || res.status >= 300) {
      this.record.errors.push(`11200: ${kind} webhook answered HTTP ${res.status}`);
      return undefined;
    }
    return res.text;
  }

  private params(extra: Record<string, string>): Record<string, string> {
    return {
      AccountSid: this.o.account.sid,
      ApiVersion: '2010-04-01',
      CallSid: this.o.sid,
      CallStatus: this.phase === 'ended' ? this.record.status : this.phase,
      Direction: 'outbound-api',
      From: this.record.from,
      To: this.record.to,
      Called: this.record.to,
      Caller: this.record.from,
      ...extra,
    };
  }

  /** One signed, form-encoded webhook; the provider waits 15 s for the answer. */
  private async post(url: string, extra: Record<string, string>, kind: string): Promise<{ status: number; text: string }> {
    const params = this.params(extra);
    const body = new URLSearchParams(params).toString();
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'TwilioProxy/1.1' };
    if (this.o.profile === 'telnyx') {
      const ts = Math.floor(Date.now() / 1000);
      headers['telnyx-timestamp'] = String(ts);
      headers['telnyx-signature-ed25519'] = telnyxSignature(this.o.account.telnyx, ts, body);
    } else {
      headers[this.o.profile === 'signalwire' ? 'x-signalwire-signature' : 'x-twilio-signature'] = twilioSignature(this.o.account.key, url, params);
    }
    const started = performance.now();
    const sentAt = Date.now();
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      this.o.onWebhook({ callSid: this.o.sid, url, status: res.status, ms: performance.now() - started, sentAt, kind, headers, body });
      return { status: res.status, text };
    } catch (e) {
      this.o.onWebhook({ callSid: this.o.sid, url, status: 0, ms: performance.now() - started, sentAt, kind, headers, body });
      return { status: 0, text: (e as Error).message };
    }
  }

  private async status(status: string): Promise<void> {
    this.record.status = status;
    const event = status === 'in-progress' ? 'answered' : ['busy', 'no-answer', 'failed', 'canceled'].includes(status) ? 'completed' : status;
    const url = one(this.o.fields.StatusCallback);
    const wanted = this.o.eventList.length ? this.o.eventList : ['completed'];
    if (!url || !wanted.includes(event)) return;
    const p = { CallbackSource: 'call-progress-events', SequenceNumber: String(this.seq++), Timestamp: new Date().toUTCString(), CallStatus: status };
    if (this.o.shuffle) {
      // Delivered out of order and twice: held back until the end, then the terminal one first.
      this.statusQueue.push(p);
      return;
    }
    await this.post(url, p, `status:${status}`);
  }

  private async finish(status: string, sip: number, talkSec: number): Promise<void> {
    this.phase = 'ended';
    this.record.talkSec = talkSec;
    const url = one(this.o.fields.StatusCallback);
    const final = { CallbackSource: 'call-progress-events', SequenceNumber: String(this.seq++), Timestamp: new Date().toUTCString(), CallStatus: status, CallDuration: String(talkSec), SipResponseCode: String(sip), Duration: String(Math.ceil(talkSec / 60)) };
    this.record.status = status;
    if (url) {
      if (this.o.shuffle) {
        await this.post(url, final, `status:${status}`);
        for (const p of [...this.statusQueue].reverse()) {
          await this.post(url, p, `status:${p.CallStatus}`);
          await this.post(url, p, `status:${p.CallStatus}`);
        }
        await this.post(url, final, `status:${status}`);
      } else {
        await this.post(url, final, `status:${status}`);
      }
    }
    const recUrl = this.startRecordingCallback ?? one(this.o.fields.RecordingStatusCallback);
    if (this.recordingOn && recUrl && status === 'completed') {
      const wav = this.o.speechInRecordings ? await stereoWav(this.callee, this.line, this.talk.elapsedMs(), this.lang, true) : silentStereoWav(this.talk.elapsedMs());
      const saved = this.o.saveRecording(wav);
      this.record.recordingId = saved.id;
      await new Promise((r) => setTimeout(r, 1500 * this.o.scale));
      await this.post(recUrl, { RecordingSid: saved.id, RecordingUrl: saved.url, RecordingStatus: 'completed', RecordingDuration: String(talkSec), RecordingChannels: '2', RecordingSource: this.startRecordingCallback ? 'StartCallRecordingTwiML' : 'OutboundAPI' }, 'recording');
    }
    this.record.ended = true;
  }
}
