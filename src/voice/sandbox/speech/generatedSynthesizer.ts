import { RECORDING_SAMPLE_RATE, assertSampleRate, type Pcm } from '../../audio/pcm.js';
import { hashString, seededRandom } from './prng.js';
import { renderSpeech } from './renderSpeech.js';
import { planSpeech } from './speechPlan.js';
import { MAX_SPEECH_TEXT_LENGTH, textTooLong, type SpeechOptions, type SpeechSynthesizer } from './speechSynthesizer.js';
import { VOICE_PROFILES } from './voiceProfiles.js';

/** Peak level of generated speech: −6 dBFS, the same as espeak output after normalisation. */
const PEAK = 0.5 * 32767;

/**
 * Speech-like audio without any external tool: works on every machine (CI, containers without
 * espeak-ng). Deterministic: the same text, language and voice always give the same samples, and
 * the duration equals `estimateSpeechMs(text, lang)`.
 */
export class GeneratedSynthesizer implements SpeechSynthesizer {
  readonly kind = 'generated' as const;
  /** Rate of the returned audio. */
  readonly sampleRate: number;

  constructor(opts: { sampleRate?: number } = {}) {
    this.sampleRate = opts.sampleRate ?? RECORDING_SAMPLE_RATE;
    assertSampleRate(this.sampleRate);
  }

  /** Renders `text`; resolves to at least 250 ms of audible sound, even for empty text. */
  synthesize(text: string, opts: SpeechOptions): Promise<Pcm> {
    try {
      return Promise.resolve(this.render(text, opts));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private render(text: string, { lang, voice }: SpeechOptions): Pcm {
    if (text.length > MAX_SPEECH_TEXT_LENGTH) {
      throw textTooLong(text);
    }
    const plan = planSpeech(text, lang);
    const random = seededRandom(hashString(`${lang}|${voice}|${text}`));
    const floats = renderSpeech(plan, VOICE_PROFILES[voice], this.sampleRate, random);
    let max = 0;
    for (const x of floats) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? PEAK / max : 0;
    const samples = new Int16Array(floats.length);
    for (let i = 0; i < floats.length; i++) samples[i] = Math.round((floats[i] ?? 0) * scale);
    return { sampleRate: this.sampleRate, samples };
  }
}
