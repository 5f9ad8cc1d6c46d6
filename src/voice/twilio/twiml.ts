import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { CallAction, Listen, SpeechProfile } from '../port.js';
import type { TwilioProfile } from './profiles.js';

/**
 * One interpreter step → one TwiML document (the official `twilio` package writes the XML). The
 * step's actions are rendered in order; the last one that listens becomes a `<Gather input="speech
 * dtmf" actionOnEmptyResult="true">` around its prompt, whose action URL carries the number of the
 * next step — so a repeated webhook is recognised as the same step. A transfer is a `<Dial>` with
 * an action; a batch that neither listens nor transfers ends in `<Hangup/>`.
 */
export interface StepUrls {
  /** Where the answer to the listening action goes. */
  heard: string;
  /** Where the end of a transfer goes (`i` = index of the number being tried, for sequential transfers). */
  dialed(i: number): string;
}

export interface RenderOptions {
  profile: TwilioProfile;
  speech: SpeechProfile;
  urls: StepUrls;
  /** Caller ID shown to the transfer target (the call's own number). */
  callerId: string | undefined;
  /** TwiML to put first (Telnyx's `<Start><Recording>` on the first document). */
  prelude?: (r: VoiceResponse) => void;
}

type SayAttributes = Parameters<VoiceResponse['say']>[0];
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

export function renderActions(actions: CallAction[], o: RenderOptions): string {
  const r = new VoiceResponse();
  o.prelude?.(r);
  const say = { voice: o.speech.voice, language: o.speech.locale } as SayAttributes;
  let ended = false;
  for (const a of actions) {
    if (ended) break;
    switch (a.kind) {
      case 'say':
      case 'play':
      case 'pause': {
        const target = a.listen ? r.gather(gatherAttributes(a.listen, o)) : r;
        if (a.kind === 'say') target.say(say, a.text);
        else if (a.kind === 'play') target.play({}, a.url);
        else if (a.seconds > 0) target.pause({ length: Math.max(1, Math.round(a.seconds)) });
        if (a.listen) ended = true;
        break;
      }
      case 'transfer':
        dialFirst(r, a, o, 0);
        ended = true;
        break;
      case 'hangup':
        r.hangup();
        ended = true;
        break;
    }
  }
  if (!ended) r.hangup();
  return r.toString();
}

/** The transfer's `i`-th number (sequential) or all of them at once (simultaneous). */
export function renderDial(a: Extract<CallAction, { kind: 'transfer' }>, o: RenderOptions, i: number): string {
  const r = new VoiceResponse();
  dialFirst(r, a, o, i);
  return r.toString();
}

function dialFirst(r: VoiceResponse, a: Extract<CallAction, { kind: 'transfer' }>, o: RenderOptions, i: number): void {
  const dial = r.dial({ action: o.urls.dialed(i), method: 'POST', timeout: a.ringTimeoutSec, ...(o.callerId ? { callerId: o.callerId } : {}) });
  const targets = a.strategy === 'simultaneous' ? a.to.slice(0, 10) : [a.to[i]].filter((x): x is string => Boolean(x));
  for (const t of targets) {
    if (/^sips?:/i.test(t)) dial.sip({}, t);
    else if (a.trunk) dial.sip({}, `sip:${t.replace(/^\+/, '')}@${a.trunk}`);
    else dial.number({}, t);
  }
}

function gatherAttributes(l: Listen, o: RenderOptions): GatherAttributes {
  const input = [...(l.speech ? ['speech'] : []), ...(l.dtmf ? ['dtmf'] : [])] as GatherAttributes['input'];
  const attrs: Record<string, unknown> = {
    input,
    action: o.urls.heard,
    method: 'POST',
    actionOnEmptyResult: true,
    language: o.speech.locale,
    timeout: Math.max(1, Math.round(l.timeoutSec)),
    numDigits: l.maxDigits,
    // "auto" needs an explicitly chosen model (Twilio warning 13335); otherwise 2 s of silence ends speech.
    speechTimeout: o.speech.recognizer ? 'auto' : '2',
  };
  if (o.speech.recognizer) attrs[o.profile.recognizerAttribute] = o.speech.recognizer;
  // Twilio takes at most a few hundred hint phrases of ≤ 100 characters, comma-separated.
  if (o.profile.gatherHints && l.hints.length) attrs.hints = l.hints.filter((h) => !h.includes(',')).slice(0, 100).join(', ');
  return attrs as GatherAttributes;
}

/** The first document of "blocking with greeting": the greeting plays, then the wait for the verdict. */
export function renderGreeting(greetingUrl: string, waitUrl: string, prelude?: (r: VoiceResponse) => void): string {
  const r = new VoiceResponse();
  prelude?.(r);
  r.play({}, greetingUrl);
  r.redirect({ method: 'POST' }, waitUrl);
  return r.toString();
}

/** One more second of waiting for the machine verdict. */
export function renderWait(waitUrl: string): string {
  const r = new VoiceResponse();
  r.pause({ length: 1 });
  r.redirect({ method: 'POST' }, waitUrl);
  return r.toString();
}
