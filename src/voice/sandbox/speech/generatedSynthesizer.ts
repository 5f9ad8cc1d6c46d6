import { RECORDING_SAMPLE_RATE, assertSampleRate, type Pcm } from '../../audio/pcm.js';
import { LruCache } from './lruCache.js';
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
 * the duration equals `estimateSpeechMs(text, lang)` — so identical phrases (a scenario's prompts,
 * the simulated callees' stock answers) are rendered once and served from a bounded LRU, as
 * espeak's are: rendering took ~9 ms of the event loop per sandbox call at 50 calls a second
 * (bench `pacing`, profile of the 50/s run).
 */
export class GeneratedSynthesizer implements SpeechSynthesizer {
  readonly kind = 'generated' as const;
  /** Rate of the returned audio. */
  readonly sampleRate: number;
  private readonly cache: LruCache<string, Pcm>;

  constructor(opts: { sampleRate?: number } = {}) {
    this.sampleRate = opts.sampleRate ?? RECORDING_SAMPLE_RATE;
    assertSampleRate(this.sampleRate);
    // 256 phrases, at most 10 minutes of audio (~9.6 MB at 8 kHz), like espeak's cache.
    this.cache = new LruCache(256, this.sampleRate * 600, (p) => p.samples.length);
  }

  /** Renders `text`; resolves to at least 250 ms of audible sound, even for empty text. The Pcm is the caller's own copy. */
  synthesize(text: string, opts: SpeechOptions): Promise<Pcm> {
    try {
      const key = `${opts.lang}|${opts.voice}|${text}`;
      let pcm = this.cache.get(key);
      if (!pcm) {
        pcm = this.render(text, opts);
        this.cache.set(key, pcm);
      }
      return Promise.resolve({ sampleRate: pcm.sampleRate, samples: pcm.samples.slice() });
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
