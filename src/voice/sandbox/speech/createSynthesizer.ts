import { EspeakSynthesizer, type EspeakSynthesizerOptions } from './espeakSynthesizer.js';
import { GeneratedSynthesizer } from './generatedSynthesizer.js';
import { probeEspeak } from './probeEspeak.js';
import { SpeechSynthesisError, type SpeechSynthesizer } from './speechSynthesizer.js';

/** Which synthesizer to use: espeak-ng when installed (`auto`), espeak-ng or fail, or generated. */
export type SynthesizerMode = 'auto' | 'espeak' | 'generated';

/** Options of `createSynthesizer`. */
export interface CreateSynthesizerOptions extends EspeakSynthesizerOptions {
  /** Time allowed for `espeak-ng --version`, ms. Default 3000. */
  probeTimeoutMs?: number;
}

/**
 * Builds the synthesizer for sandbox recordings (config: `SANDBOX_TTS`). `auto` probes espeak-ng
 * once and falls back to the generated voice; `espeak` rejects with code `espeak_unavailable`
 * when espeak-ng cannot be run.
 */
export async function createSynthesizer(
  mode: SynthesizerMode,
  opts: CreateSynthesizerOptions = {},
): Promise<SpeechSynthesizer> {
  const generated = () => new GeneratedSynthesizer(opts.sampleRate === undefined ? {} : { sampleRate: opts.sampleRate });
  if (mode === 'generated') return generated();
  const command = opts.command ?? 'espeak-ng';
  const probe = await probeEspeak(command, opts.probeTimeoutMs ?? 3000);
  if (probe.available) return new EspeakSynthesizer(opts);
  if (mode === 'auto') return generated();
  throw new SpeechSynthesisError(
    'espeak_unavailable',
    `SANDBOX_TTS=espeak but ${command} cannot be run (${probe.reason}). ` +
      'Install it (Debian/Ubuntu: apt-get install espeak-ng) or set SANDBOX_TTS=auto or generated.',
  );
}
