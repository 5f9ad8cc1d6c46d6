import type { AmdMode } from '../core/template.js';
import type { VoicePlatformName } from '../core/voiceSettings.js';

/**
 * What each voice platform can do: one table that the template validator (a template asking for
 * something its platform cannot do is refused on save, with the reason) and the console
 * (`GET /api/v1/voice-platforms`) both read. Voice and recogniser ids are the platforms' own names.
 */
export interface VoiceOption {
  id: string;
  locale: string;
  gender: 'female' | 'male';
}

export interface PlatformCapabilities {
  name: VoicePlatformName;
  /** Answering-machine detection modes (T4). */
  amdModes: readonly AmdMode[];
  /** A greeting can be played while detection runs. */
  amdGreeting: boolean;
  /** Fax machines are told apart from answering machines. */
  faxDetection: boolean;
  /** Locales the bot can speak and listen in. */
  locales: readonly string[];
  voices: readonly VoiceOption[];
  /** The voice used for a locale when the template names none. */
  defaultVoice: Readonly<Record<string, string>>;
  /** Recognition models/profiles a template may choose; empty = not selectable. */
  recognizers: readonly string[];
  /** Template-level speech hints reach the recogniser (with these recognisers only, when listed). */
  speechHints: boolean | { only: readonly string[] };
  dtmf: boolean;
  transfer: boolean;
  /** Calls (and transfers) can go through a dial plan's trunk. */
  trunks: boolean;
  /** The platform reports the callee's gender itself; otherwise Dozvon estimates it from the recording. */
  genderReported: boolean;
  recording: { format: 'wav' | 'flac' | 'mp3'; stereo: boolean };
  /** The platform reports each call's cost; otherwise it is minutes × the configured rate. */
  costReported: boolean;
}

const AMD_ALL: readonly AmdMode[] = ['off', 'background', 'blocking'];

const POLLY_RU: VoiceOption[] = [
  { id: 'Polly.Tatyana', locale: 'ru-RU', gender: 'female' },
  { id: 'Polly.Maxim', locale: 'ru-RU', gender: 'male' },
];
const POLLY_EN: VoiceOption[] = [
  { id: 'Polly.Joanna-Neural', locale: 'en-US', gender: 'female' },
  { id: 'Polly.Matthew-Neural', locale: 'en-US', gender: 'male' },
  { id: 'Polly.Amy-Neural', locale: 'en-GB', gender: 'female' },
  { id: 'Polly.Brian-Neural', locale: 'en-GB', gender: 'male' },
];
const POLLY_DEFAULTS = { 'ru-RU': 'Polly.Tatyana', 'en-US': 'Polly.Joanna-Neural', 'en-GB': 'Polly.Amy-Neural' };

export const CAPABILITIES: Readonly<Record<VoicePlatformName, PlatformCapabilities>> = {
  sandbox: {
    name: 'sandbox',
    amdModes: AMD_ALL,
    amdGreeting: true,
    faxDetection: false,
    locales: ['ru-RU', 'en-US', 'en-GB'],
    voices: [
      { id: 'bot', locale: 'ru-RU', gender: 'female' },
      { id: 'bot', locale: 'en-US', gender: 'female' },
      { id: 'bot', locale: 'en-GB', gender: 'female' },
    ],
    defaultVoice: { 'ru-RU': 'bot', 'en-US': 'bot', 'en-GB': 'bot' },
    recognizers: [],
    speechHints: true,
    dtmf: true,
    transfer: true,
    trunks: true,
    genderReported: true,
    recording: { format: 'wav', stereo: false },
    costReported: false,
  },
  voximplant: {
    name: 'voximplant',
    amdModes: AMD_ALL,
    amdGreeting: true,
    faxDetection: false,
    locales: ['ru-RU', 'en-US'],
    voices: [
      ...['alena', 'jane', 'marina', 'omazh'].map((v) => ({ id: `Yandex.Neural.ru_RU_${v}`, locale: 'ru-RU', gender: 'female' as const })),
      ...['filipp', 'ermil', 'zahar', 'madi_ru'].map((v) => ({ id: `Yandex.Neural.ru_RU_${v}`, locale: 'ru-RU', gender: 'male' as const })),
      { id: 'TBank.ru_RU_Anna', locale: 'ru-RU', gender: 'female' },
      { id: 'TBank.ru_RU_Dima', locale: 'ru-RU', gender: 'male' },
      ...['natalia', 'marfa', 'alexandra'].map((v) => ({ id: `SaluteSpeech.ru_RU_${v}`, locale: 'ru-RU', gender: 'female' as const })),
      ...['boris', 'taras', 'sergey'].map((v) => ({ id: `SaluteSpeech.ru_RU_${v}`, locale: 'ru-RU', gender: 'male' as const })),
      { id: 'Default.ru_RU_Female', locale: 'ru-RU', gender: 'female' },
      { id: 'Default.ru_RU_Male', locale: 'ru-RU', gender: 'male' },
      { id: 'Default.en_US_Female', locale: 'en-US', gender: 'female' },
      { id: 'Default.en_US_Male', locale: 'en-US', gender: 'male' },
      { id: 'Yandex.Neural.en_US_john', locale: 'en-US', gender: 'male' },
      { id: 'Amazon.en_US_Joanna', locale: 'en-US', gender: 'female' },
      { id: 'Amazon.en_US_Matthew', locale: 'en-US', gender: 'male' },
    ],
    defaultVoice: { 'ru-RU': 'Yandex.Neural.ru_RU_alena', 'en-US': 'Default.en_US_Female' },
    // ASR profiles (ASRProfileList.<provider>.<locale>); "TBank" is the former "Tinkoff".
    recognizers: ['TBank.ru_RU', 'Yandex.ru_RU', 'YandexV3.ru_RU', 'SaluteSpeech.ru_RU', 'Google.ru_RU', 'Google.en_US', 'Yandex.en_US', 'Microsoft.en_US', 'Deepgram.en_US'],
    // VoxEngine passes phrase hints to Google recognition only.
    speechHints: { only: ['Google.ru_RU', 'Google.en_US'] },
    dtmf: true,
    transfer: true,
    trunks: true,
    genderReported: false,
    recording: { format: 'flac', stereo: true },
    costReported: true,
  },
  twilio: {
    name: 'twilio',
    amdModes: AMD_ALL,
    amdGreeting: true,
    faxDetection: true,
    locales: ['ru-RU', 'en-US', 'en-GB'],
    voices: [
      ...POLLY_RU,
      ...['A', 'C', 'E'].map((v) => ({ id: `Google.ru-RU-Wavenet-${v}`, locale: 'ru-RU', gender: 'female' as const })),
      ...['B', 'D'].map((v) => ({ id: `Google.ru-RU-Wavenet-${v}`, locale: 'ru-RU', gender: 'male' as const })),
      ...POLLY_EN,
    ],
    defaultVoice: POLLY_DEFAULTS,
    // <Gather speechModel>; unset lets Twilio choose and fail over.
    recognizers: ['phone_call', 'experimental_conversations', 'googlev2_telephony', 'googlev2_short', 'deepgram_nova-2', 'deepgram_nova-3'],
    speechHints: true,
    dtmf: true,
    transfer: true,
    trunks: true,
    genderReported: false,
    recording: { format: 'wav', stereo: true },
    costReported: false,
  },
  signalwire: {
    name: 'signalwire',
    amdModes: AMD_ALL,
    amdGreeting: true,
    faxDetection: true,
    locales: ['ru-RU', 'en-US', 'en-GB'],
    voices: [...POLLY_RU, ...POLLY_EN, { id: 'woman', locale: 'en-US', gender: 'female' }, { id: 'man', locale: 'en-US', gender: 'male' }],
    defaultVoice: POLLY_DEFAULTS,
    recognizers: [],
    speechHints: true,
    dtmf: true,
    transfer: true,
    trunks: true,
    genderReported: false,
    recording: { format: 'wav', stereo: true },
    costReported: false,
  },
  telnyx: {
    name: 'telnyx',
    amdModes: AMD_ALL,
    amdGreeting: true,
    faxDetection: true,
    locales: ['ru-RU', 'en-US', 'en-GB'],
    // "man" and "woman" speak en-US only on Telnyx.
    voices: [...POLLY_RU, ...POLLY_EN, { id: 'woman', locale: 'en-US', gender: 'female' }, { id: 'man', locale: 'en-US', gender: 'male' }],
    defaultVoice: POLLY_DEFAULTS,
    // <Gather transcriptionEngine>.
    recognizers: ['Google', 'Telnyx', 'Azure', 'Deepgram'],
    speechHints: false,
    dtmf: true,
    transfer: true,
    trunks: true,
    genderReported: false,
    recording: { format: 'wav', stereo: true },
    costReported: false,
  },
};

export function capabilitiesOf(name: string): PlatformCapabilities | undefined {
  return Object.hasOwn(CAPABILITIES, name) ? CAPABILITIES[name as VoicePlatformName] : undefined;
}
