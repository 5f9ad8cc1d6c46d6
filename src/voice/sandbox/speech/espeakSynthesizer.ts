import { decodeWav } from '../../audio/decodeWav.js';
import { normalizePeak } from '../../audio/gain.js';
import { isSilent } from '../../audio/levels.js';
import { RECORDING_SAMPLE_RATE, assertSampleRate, type Pcm } from '../../audio/pcm.js';
import { resample } from '../../audio/resample.js';
import { trimSilence } from '../../audio/trimSilence.js';
import { ConcurrencyLimit } from './concurrencyLimit.js';
import { GeneratedSynthesizer } from './generatedSynthesizer.js';
import { LruCache } from './lruCache.js';
import { ProcessError, runProcess } from './runProcess.js';
import {
  MAX_SPEECH_TEXT_LENGTH,
  SpeechSynthesisError,
  textTooLong,
  type SpeechOptions,
  type SpeechSynthesizer,
  type SpeechVoice,
} from './speechSynthesizer.js';

/** espeak-ng voice variant, pitch (0–99) and speed (words per minute) for each party. */
export interface EspeakVoice {
  variant: string;
  pitch: number;
  speed: number;
}

/**
 * Chosen by measuring median F0 on espeak-ng 1.51 (Russian and English alike): the bot uses the
 * Klatt synthesiser (a distinctly synthetic timbre, ~125 Hz at -p 70), the woman f3 (~205 Hz),
 * the man m3 (~95 Hz at -p 40), the answering machine f4 (~160 Hz at -p 40, a little brisker, as
 * recorded greetings are). 150 wpm gives 13–14 characters per second, close to `estimateSpeechMs`.
 */
export const ESPEAK_VOICES: Record<SpeechVoice, EspeakVoice> = {
  bot: { variant: 'klatt', pitch: 70, speed: 150 },
  female: { variant: 'f3', pitch: 50, speed: 150 },
  male: { variant: 'm3', pitch: 40, speed: 150 },
  machine: { variant: 'f4', pitch: 40, speed: 160 },
};

/**
 * The argv for one phrase. The text is not in it: it goes through stdin (`--stdin`), so no text can
 * be mistaken for an option, and no shell ever sees it.
 */
export function espeakArgs(opts: SpeechOptions): string[] {
  const v = ESPEAK_VOICES[opts.voice];
  // -b 1: stdin is UTF-8; -z: no trailing sentence pause (the recording pipeline places the gaps).
  const voice = `${opts.lang}+${v.variant}`;
  return ['--stdout', '-b', '1', '-z', '-v', voice, '-s', String(v.speed), '-p', String(v.pitch), '--stdin'];
}

/** Options of `EspeakSynthesizer`. */
export interface EspeakSynthesizerOptions {
  /** Executable, resolved on PATH. Default `espeak-ng`. */
  command?: string;
  /** Kill a synthesis that takes longer, ms. Default 15 000 (a phrase takes ~20 ms). */
  timeoutMs?: number;
  /** Rate of the returned audio. Default `RECORDING_SAMPLE_RATE` (8 kHz). */
  sampleRate?: number;
  /** Phrases kept in memory. Default 256. */
  cacheEntries?: number;
  /** Total samples kept in memory. Default 10 minutes of audio (~9.6 MB at 8 kHz). */
  cacheMaxSamples?: number;
  /** espeak-ng processes running at once. Default 2. */
  maxConcurrent?: number;
}

/**
 * Real (robotic but intelligible) speech from espeak-ng, spawned per phrase without a shell.
 * Identical phrases are served from a bounded in-memory LRU; concurrent requests for the same
 * phrase share one process.
 */
export class EspeakSynthesizer implements SpeechSynthesizer {
  readonly kind = 'espeak' as const;
  /** Rate of the returned audio. */
  readonly sampleRate: number;
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly cache: LruCache<string, Pcm>;
  private readonly inFlight = new Map<string, Promise<Pcm>>();
  private readonly limit: ConcurrencyLimit;
  private readonly fallback: GeneratedSynthesizer;

  constructor(opts: EspeakSynthesizerOptions = {}) {
    this.sampleRate = opts.sampleRate ?? RECORDING_SAMPLE_RATE;
    assertSampleRate(this.sampleRate);
    this.command = opts.command ?? 'espeak-ng';
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    const maxSamples = opts.cacheMaxSamples ?? this.sampleRate * 600;
    this.cache = new LruCache(opts.cacheEntries ?? 256, maxSamples, (p) => p.samples.length);
    this.limit = new ConcurrencyLimit(opts.maxConcurrent ?? 2);
    this.fallback = new GeneratedSynthesizer({ sampleRate: this.sampleRate });
  }

  /** Speaks `text`; the returned Pcm is the caller's own copy. */
  async synthesize(text: string, opts: SpeechOptions): Promise<Pcm> {
    if (text.length > MAX_SPEECH_TEXT_LENGTH) {
      throw textTooLong(text);
    }
    const clean = sanitize(text);
    const key = `${opts.lang}|${opts.voice}|${clean}`;
    const cached = this.cache.get(key);
    if (cached) return copy(cached);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limit.run(() => this.speak(clean, opts));
      this.inFlight.set(key, pending);
      const settled = () => this.inFlight.delete(key);
      // Failures are not cached: the next request tries again. The caller sees the rejection below.
      void pending.then((pcm) => {
        this.cache.set(key, pcm);
        settled();
      }, settled);
    }
    return copy(await pending);
  }

  private async speak(text: string, opts: SpeechOptions): Promise<Pcm> {
    let output;
    try {
      output = await runProcess(this.command, espeakArgs(opts), { input: text, timeoutMs: this.timeoutMs });
    } catch (e) {
      if (e instanceof ProcessError && e.code === 'spawn_failed') {
        const message = `${this.command} cannot be started: ${e.message}`;
        throw new SpeechSynthesisError('espeak_unavailable', message, { cause: e });
      }
      if (e instanceof ProcessError && e.code === 'timeout') {
        throw new SpeechSynthesisError('timeout', e.message, { cause: e });
      }
      throw new SpeechSynthesisError('engine_failed', e instanceof Error ? e.message : String(e), { cause: e });
    }
    if (output.code !== 0) {
      const how = output.code === null ? `signal ${output.signal ?? '?'}` : `code ${output.code}`;
      throw new SpeechSynthesisError('engine_failed', `${this.command} exited with ${how}: ${output.stderr.trim()}`);
    }
    let raw: Pcm;
    try {
      raw = decodeWav(output.stdout);
    } catch (e) {
      throw new SpeechSynthesisError('engine_failed', `${this.command} wrote no usable WAV`, { cause: e });
    }
    const trimmed = trimSilence(resample(raw, this.sampleRate));
    // Text with nothing to pronounce ("…", "!!!") yields silence; the contract is never-silent audio.
    if (trimmed.samples.length === 0 || isSilent(trimmed)) return this.fallback.synthesize(text, opts);
    return normalizePeak(trimmed, -6);
  }
}

/** Control characters (newlines, NUL, escapes) become spaces: espeak-ng sees plain text only. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function copy(pcm: Pcm): Pcm {
  return { sampleRate: pcm.sampleRate, samples: pcm.samples.slice() };
}
