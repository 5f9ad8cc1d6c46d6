import { z } from 'zod';

/**
 * Voice-platform names (a fixed contract: `VOICE_PLATFORM` values, callback paths
 * `/voice/<name>/…`, the platform recorded on each attempt) and the template settings a platform
 * honours (T3–T6 are elsewhere in the template; these are how the bot speaks and listens).
 */
export const VOICE_PLATFORMS = ['sandbox', 'voximplant', 'twilio', 'signalwire', 'telnyx'] as const;
export type VoicePlatformName = (typeof VOICE_PLATFORMS)[number];

export const templateVoiceSchema = z
  .object({
    /** The platform that places this template's calls; null = the default (`VOICE_PLATFORM`). */
    platform: z.enum(VOICE_PLATFORMS).nullable().default(null),
    /** The platform's TTS voice (see GET /api/v1/voice-platforms); null = its default for the language. */
    ttsVoice: z.string().trim().min(1).max(100).nullable().default(null),
    /** Locale of speech and recognition, e.g. "ru-RU"; null = from the scenario's language. */
    locale: z
      .string()
      .regex(/^[a-z]{2}-[A-Z]{2}$/, { message: 'validation.locale_code' })
      .nullable()
      .default(null),
    /** The platform's speech-recognition model or profile; null = its default. */
    recognizer: z.string().trim().min(1).max(60).nullable().default(null),
    /** Extra phrases the recogniser should expect, besides each question's own answers. */
    speechHints: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
    /** Seconds a transfer to a number may ring before it counts as not answered (a direction has its own). */
    transferTimeoutSec: z.number().int().min(5).max(120).default(30),
  })
  .strict();

export type TemplateVoice = z.output<typeof templateVoiceSchema>;
export const DEFAULT_TEMPLATE_VOICE: TemplateVoice = templateVoiceSchema.parse({});

/** The platform's locale for a scenario language when the template names none. */
export const defaultLocaleOf = (language: 'ru' | 'en'): string => (language === 'ru' ? 'ru-RU' : 'en-US');
