import type { Vowel } from './speechPlan.js';
import type { SpeechVoice } from './speechSynthesizer.js';

/** How a generated voice sounds: pitch, melody and vocal-tract size. */
export interface VoiceProfile {
  /** Mean fundamental frequency, Hz. */
  f0: number;
  /** Fraction of f0 the pitch falls across a phrase (0 = monotone). */
  declination: number;
  /** Fraction of f0 added at the peak of a stressed syllable. */
  accent: number;
  /** Fraction of f0 the last syllable of a question rises by. */
  questionRise: number;
  /** Formant frequency multiplier: a shorter vocal tract (women) has higher formants. */
  formantScale: number;
  /** Flat share added to every harmonic: a buzzy, synthetic timbre when > 0. */
  buzz: number;
}

/**
 * Typical adult values: women ~200–220 Hz, men ~100–120 Hz (Titze, Principles of Voice
 * Production). The bot is deliberately monotone and buzzy so it cannot be mistaken for the callee.
 */
export const VOICE_PROFILES: Record<SpeechVoice, VoiceProfile> = {
  bot: { f0: 150, declination: 0, accent: 0, questionRise: 0, formantScale: 1.05, buzz: 0.25 },
  female: { f0: 215, declination: 0.25, accent: 0.18, questionRise: 0.35, formantScale: 1.17, buzz: 0 },
  male: { f0: 110, declination: 0.2, accent: 0.15, questionRise: 0.3, formantScale: 1, buzz: 0 },
  machine: { f0: 185, declination: 0.12, accent: 0.1, questionRise: 0.2, formantScale: 1.12, buzz: 0.05 },
};

/** First three formants (Hz) of each vowel for an adult male vocal tract (Peterson & Barney style). */
export const VOWEL_FORMANTS: Record<Vowel | 'nasal', readonly [number, number, number]> = {
  a: [730, 1090, 2440],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
  y: [360, 1500, 2400],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  schwa: [500, 1500, 2500],
  // Murmur of m, n, l, r: a strong low resonance and little above it.
  nasal: [260, 1200, 2300],
};

/** Relative strength and bandwidth (Hz) of formants 1–3. */
export const FORMANT_GAINS = [1, 0.55, 0.25] as const;
export const FORMANT_BANDWIDTHS = [90, 110, 170] as const;
