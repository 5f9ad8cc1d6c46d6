import type { AmdMode } from '../core/template.js';
import type { AmdVerdict } from '../core/outcome.js';
import type { Branch } from '../scenario/recognition.js';
import type { CallEvent } from './events.js';

/**
 * The voice-platform port. The engine asks a platform to place a call; the platform reports what
 * happened as events (src/voice/events.ts) and, once the callee is on the line, drives Dozvon's
 * scenario through one entry point, `advance`: it hands in what happened on the line (the call was
 * answered, the callee said something, a transfer ended) and receives the next actions to perform
 * (speak, play, pause — each optionally listening for speech and keys — transfer, hang up).
 * Platforms that pull (Twilio asks for the next TwiML document) and platforms that push
 * (Voximplant's scenario posts each event) use it alike; so does the sandbox.
 */

/** What the platform listens for after a prompt. */
export interface Listen {
  speech: boolean;
  dtmf: boolean;
  /** Seconds to wait for the callee to start answering once the prompt has been played. */
  timeoutSec: number;
  /** Phrases the recogniser should expect (a speech grammar / hints). */
  hints: string[];
  /** The branches the answer is matched against: the sandbox's simulated callee picks from them. */
  expect: Branch[];
  /** Keys that end a DTMF answer early (1 = the first key answers). */
  maxDigits: number;
}

/** One thing the platform does on the line, in order. At most the last action of a batch listens. */
export type CallAction =
  | { kind: 'say'; text: string; listen?: Listen }
  | { kind: 'play'; url: string; listen?: Listen }
  | { kind: 'pause'; seconds: number; listen?: Listen }
  | {
      kind: 'transfer';
      /** What is dialled, in order (sequential) or together (simultaneous): E.164 numbers or sip: URIs. */
      to: string[];
      strategy: 'sequential' | 'simultaneous';
      /** Seconds each leg may ring before it counts as not answered. */
      ringTimeoutSec: number;
      /** Trunk of the dial plan the transfer goes through; undefined = the platform's default route. */
      trunk: string | undefined;
    }
  | { kind: 'hangup' };

/** How the bot speaks and listens on this call (template + scenario language), for every action. */
export interface SpeechProfile {
  /** Dozvon's language of the scenario. */
  language: 'ru' | 'en';
  /** The platform's language/locale code for TTS and ASR, e.g. "ru-RU". */
  locale: string;
  /** Platform-specific TTS voice; undefined = the platform's default for the locale. */
  voice: string | undefined;
  /** Platform-specific recognition model/profile; undefined = the platform's default. */
  recognizer: string | undefined;
}

/** What happened on the line, handed to `advance`. Input 0 of a call is always "answered". */
export type DialogueInput =
  | { kind: 'answered'; amd?: AmdVerdict | undefined }
  | { kind: 'heard'; text: string; confidence?: number | undefined; dtmf?: string | undefined }
  | { kind: 'transferred'; connected: boolean; result: 'answered' | 'busy' | 'no_answer' | 'failed' };

export interface StepReply {
  /**
   * The actions to perform. Empty after a transfer that connected: stay bridged until someone hangs
   * up. A batch that does not end in a listen or a transfer ends in a hang-up.
   */
  actions: CallAction[];
  speech: SpeechProfile;
}

/**
 * The engine as a platform adapter sees it: a narrow port, so adapters know nothing of the
 * database, the HTTP layer or the application context.
 */
export interface CallEngine {
  /**
   * The next actions after input number `step` (0 = answered). Idempotent: a repeated step (a
   * webhook retried) returns the same actions and stores nothing twice; works in any process.
   */
  advance(attemptId: string, step: number, input: DialogueInput, o?: { elapsedMs?: number }): Promise<StepReply>;
  /** The actions already returned after input number `step` (a platform re-reading what it was told). */
  repeat(attemptId: string, step: number): Promise<StepReply>;
  /** Applies one call event (ringing, answered, AMD, gender, ended, recording); idempotent by (attempt, seq). */
  event(e: CallEvent): Promise<'applied' | 'duplicate'>;
  /** What the engine knows about a call now (to gate a second session, or wait for an AMD verdict). */
  callState(attemptId: string): Promise<CallState | undefined>;
  /** Keeps platform data with the attempt before the call is placed (read back by callState). */
  remember(attemptId: string, data: Record<string, unknown>): Promise<void>;
}

export interface CallState {
  attemptId: string;
  /** Completed attempts get no more calls: a platform session for one is hung up at once. */
  completed: boolean;
  providerCallId: string | null;
  amdVerdict: AmdVerdict | null;
  /** The platform's own data saved when the call was placed (control URLs, session ids). */
  platformData: Record<string, unknown> | null;
}

export interface PlaceCallRequest {
  attemptId: string;
  tenantId: string;
  /** E.164 of the callee. */
  to: string;
  /** What is actually dialled after the dial plan's rewrite. */
  dialString: string;
  /** Trunk of the dial plan; undefined = the platform's default route. */
  trunk: string | undefined;
  /** Caller ID for this call; undefined = the platform's default (`*_FROM`). */
  callerId: string | undefined;
  amd: { mode: AmdMode; greetingUrl: string | undefined };
  genderDetection: boolean;
  language: 'ru' | 'en';
  ringTimeoutSec: number;
  maxDurationSec: number;
}

export interface PlacedCall {
  providerCallId: string;
  /** Kept with the attempt and handed back to `hangup` (e.g. Voximplant's control URL). */
  platformData?: Record<string, unknown> | undefined;
}

/** A call as `hangup` needs it. */
export interface LiveCall {
  attemptId: string;
  providerCallId: string;
  platformData: Record<string, unknown> | null;
}

/** A downloaded recording in the platform's own format (stored as it came). */
export interface DownloadedRecording {
  bytes: Buffer;
  contentType: 'audio/wav' | 'audio/mpeg' | 'audio/flac';
  /** Which channel carries the callee (0-based) in a stereo file; null for mono. */
  calleeChannel: number | null;
}

/** What `voice-check` learnt about an account: facts to print, one per line. */
export interface AccountCheck {
  facts: Record<string, string>;
}

export class VoicePlatformError extends Error {
  constructor(
    message: string,
    /** Technical errors (platform unreachable, overloaded) are retried with backoff, not counted as attempts. */
    readonly technical: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VoicePlatformError';
  }
}

export interface VoicePlatform {
  readonly name: string;
  /** Places a call; throws VoicePlatformError when the platform cannot take it. */
  placeCall(req: PlaceCallRequest): Promise<PlacedCall>;
  /** Ends a call from our side (numbers cancelled, a sibling number succeeded). */
  hangup(call: LiveCall): Promise<void>;
  /**
   * Fetches a recording the platform reported (its `recordingUrl`), the platform's way: its own
   * credentials, its own storage. Throws when it is not (yet) available; the engine retries.
   */
  downloadRecording(source: string, o: { maxBytes: number }): Promise<DownloadedRecording>;
  /** Removes the platform's copy once ours is stored, where the platform allows it. */
  deleteRecording?(source: string): Promise<void>;
  /** Checks the credentials and the account (voice-check); throws VoicePlatformError naming what is wrong. */
  checkAccount?(): Promise<AccountCheck>;
  stop(): Promise<void>;
}
