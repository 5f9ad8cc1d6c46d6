import { DEFAULT_TEMPLATE_VOICE, defaultLocaleOf, type TemplateVoice } from '../../core/voiceSettings.js';
import { capabilitiesOf } from '../../voice/capabilities.js';
import type { SpeechProfile } from '../../voice/port.js';

/** How the bot speaks and listens on one call: the template's choices over the platform's defaults. */
export function speechProfileOf(platform: string, voice: TemplateVoice | undefined, language: 'ru' | 'en'): SpeechProfile {
  const v = voice ?? DEFAULT_TEMPLATE_VOICE;
  const locale = v.locale ?? defaultLocaleOf(language);
  return {
    language,
    locale,
    voice: v.ttsVoice ?? capabilitiesOf(platform)?.defaultVoice[locale],
    recognizer: v.recognizer ?? undefined,
  };
}
