import type { Pcm } from '../../audio/pcm.js';

/** Languages the sandbox speaks. */
export type SpeechLang = 'ru' | 'en';

/**
 * Who is speaking: the voice bot, a woman or a man answering, or an answering machine's greeting.
 * Each sounds different so a listener can tell the parties apart in a mono recording.
 */
export type SpeechVoice = 'bot' | 'female' | 'male' | 'machine';

/** What to say it with. */
export interface SpeechOptions {
  lang: SpeechLang;
  voice: SpeechVoice;
}

/**
 * Turns one phrase of a simulated dialogue into audio for the call recording. Implementations
 * return mono Pcm at `RECORDING_SAMPLE_RATE` (8 kHz), peak-normalised to −6 dBFS, never empty,
 * with no leading or trailing pause (the caller places the turns).
 */
export interface SpeechSynthesizer {
  /** Which engine produced the audio: espeak-ng, or the built-in generator. */
  readonly kind: 'espeak' | 'generated';
  /** Speaks `text`; rejects with a SpeechSynthesisError when the engine fails. */
  synthesize(text: string, opts: SpeechOptions): Promise<Pcm>;
}

/** Stable codes of speech failures. */
export type SpeechErrorCode = 'espeak_unavailable' | 'timeout' | 'engine_failed' | 'text_too_long';

/** A synthesis failure with a stable code. */
export class SpeechSynthesisError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SpeechSynthesisError';
  }
}

/** Longest text one call to `synthesize` accepts: far above any scenario prompt, bounds the work. */
export const MAX_SPEECH_TEXT_LENGTH = 5000;

/** The error for text over `MAX_SPEECH_TEXT_LENGTH`. */
export function textTooLong(text: string): SpeechSynthesisError {
  return new SpeechSynthesisError(
    'text_too_long',
    `text is ${text.length} characters, at most ${MAX_SPEECH_TEXT_LENGTH} are spoken`,
  );
}
