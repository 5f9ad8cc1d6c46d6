import type { AmdMode } from '../core/template.js';
import type { CallMedia } from '../scenario/media.js';

/**
 * The voice-platform port. The engine asks a platform to place a call; the platform reports what
 * happened as events over HTTP callbacks (src/http/voice/) and, once the callee is on the line,
 * hands the engine a CallMedia so Dozvon's own scenario interpreter can talk.
 */
export interface PlaceCallRequest {
  attemptId: string;
  tenantId: string;
  /** E.164 of the callee. */
  to: string;
  /** What is actually dialled after the dial plan's rewrite. */
  dialString: string;
  /** Trunk of the dial plan; undefined = the platform's default route. */
  trunk: string | undefined;
  callerId: string | undefined;
  amd: { mode: AmdMode; greetingUrl: string | undefined };
  genderDetection: boolean;
  language: 'ru' | 'en';
  ringTimeoutSec: number;
  maxDurationSec: number;
  /** Where the platform POSTs this call's events. */
  eventsUrl: string;
}

export class VoicePlatformError extends Error {
  constructor(
    message: string,
    /** Technical errors (platform unreachable, overloaded) are retried with backoff, not counted as attempts. */
    readonly technical: boolean,
  ) {
    super(message);
    this.name = 'VoicePlatformError';
  }
}

export interface VoicePlatform {
  readonly name: string;
  /** Places a call; throws VoicePlatformError when the platform cannot take it. */
  placeCall(req: PlaceCallRequest): Promise<{ providerCallId: string }>;
  /** Ends a call from our side (campaign deleted, operator takeover). */
  hangup(providerCallId: string): Promise<void>;
  /**
   * Fetches a recording the platform reported (its `recordingUrl`), the platform's way: its own
   * credentials, its own storage. Throws when it is not (yet) available; the engine retries.
   */
  downloadRecording(source: string, o: { maxBytes: number }): Promise<Buffer>;
  stop(): Promise<void>;
}

/** The engine's side of a live call: run the scenario on this media until the call ends. */
export interface ConversationHost {
  converse(attemptId: string, media: CallMedia, signal: AbortSignal): Promise<void>;
}
