import { planSpeech } from './speechPlan.js';
import type { SpeechLang } from './speechSynthesizer.js';

/**
 * How long speaking `text` takes, in ms, without synthesizing it: the simulator's clock for a
 * bot prompt or a callee's reply. Equals the duration the generated synthesizer produces; espeak-ng
 * at the speed we run it lands within about ±20 % of it for ordinary sentences.
 */
export function estimateSpeechMs(text: string, lang: SpeechLang): number {
  let total = 0;
  for (const segment of planSpeech(text, lang)) total += segment.ms;
  return Math.round(total);
}
