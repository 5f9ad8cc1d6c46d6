/**
 * Speech for sandbox recordings: text in, 8 kHz mono Pcm out, from espeak-ng when installed or
 * from a built-in generator, plus speaking-time estimates for the simulator's clock.
 */
export {
  MAX_SPEECH_TEXT_LENGTH,
  SpeechSynthesisError,
  type SpeechErrorCode,
  type SpeechLang,
  type SpeechOptions,
  type SpeechSynthesizer,
  type SpeechVoice,
} from './speechSynthesizer.js';
export { createSynthesizer, type CreateSynthesizerOptions, type SynthesizerMode } from './createSynthesizer.js';
export {
  EspeakSynthesizer,
  ESPEAK_VOICES,
  espeakArgs,
  type EspeakSynthesizerOptions,
  type EspeakVoice,
} from './espeakSynthesizer.js';
export { GeneratedSynthesizer } from './generatedSynthesizer.js';
export { estimateSpeechMs } from './estimateSpeechMs.js';
export { probeEspeak, type EspeakProbe } from './probeEspeak.js';
