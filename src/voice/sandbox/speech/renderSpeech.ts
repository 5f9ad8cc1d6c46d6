import type { ConsonantClass, SpeechSegment, Syllable } from './speechPlan.js';
import { FORMANT_BANDWIDTHS, FORMANT_GAINS, VOWEL_FORMANTS, type VoiceProfile } from './voiceProfiles.js';

/**
 * Renders a speech plan to float samples: each vowel a stack of harmonics of a gliding F0,
 * weighted by formant resonances (a crude source-filter model), consonants as filtered noise
 * bursts or a nasal hum, all under short raised-cosine envelopes. Not intelligible, but it has
 * the rhythm, melody and timbre of speech, so recordings are plausible to listen to.
 */

/** Highest harmonic frequency: below the 4 kHz Nyquist limit of telephone audio with margin. */
const MAX_HARMONIC_HZ = 3600;
const ATTACK_MS = 15;
const RELEASE_MS = 30;

interface Context {
  out: Float32Array;
  rate: number;
  voice: VoiceProfile;
  random: () => number;
  /** Running phase of the glottal pulse, kept across syllables so voicing never clicks. */
  phase: number;
}

/** Renders `plan` at `rate`; the result has exactly round(total ms × rate / 1000) samples. */
export function renderSpeech(
  plan: readonly SpeechSegment[],
  voice: VoiceProfile,
  rate: number,
  random: () => number,
): Float32Array {
  let totalMs = 0;
  for (const s of plan) totalMs += s.ms;
  const ctx: Context = { out: new Float32Array(Math.round((totalMs * rate) / 1000)), rate, voice, random, phase: 0 };
  let ms = 0;
  for (const segment of plan) {
    // Boundaries from cumulative time, so per-segment rounding never drifts from the total.
    const start = Math.round((ms * rate) / 1000);
    ms += segment.ms;
    const end = Math.round((ms * rate) / 1000);
    if (segment.kind === 'syllable') renderSyllable(ctx, segment, start, end);
  }
  return ctx.out;
}

function renderSyllable(ctx: Context, s: Syllable, start: number, end: number): void {
  const perMs = ctx.rate / 1000;
  const onsetEnd = Math.min(end, start + Math.round((s.onset?.ms ?? 0) * perMs));
  const codaStart = Math.max(onsetEnd, end - Math.round((s.coda?.ms ?? 0) * perMs));
  const [f0Start, f0End] = pitchAt(ctx.voice, s);
  const f0At = (i: number) => {
    const t = (i - start) / Math.max(1, end - start);
    const accent = s.stressed ? ctx.voice.accent * Math.sin(Math.PI * t) : 0;
    return (f0Start + (f0End - f0Start) * t) * (1 + accent);
  };
  if (s.onset) renderConsonant(ctx, s.onset.cls, start, onsetEnd, f0At);
  const loudness = s.stressed ? 1 : 0.8;
  renderVoiced(ctx, VOWEL_FORMANTS[s.vowel], loudness, onsetEnd, codaStart, f0At);
  if (s.coda) renderConsonant(ctx, s.coda.cls, codaStart, end, f0At);
}

/** F0 at the start and end of a syllable from the phrase contour and the voice's melody. */
function pitchAt(v: VoiceProfile, s: Syllable): [number, number] {
  const at = (pos: number) => v.f0 * (1 + v.declination / 2 - v.declination * pos);
  const step = 1 / Math.max(1, s.count);
  let startF0 = at(s.index * step);
  let endF0 = at((s.index + 1) * step);
  if (s.index === s.count - 1) {
    if (s.ending === 'question') endF0 = startF0 * (1 + v.questionRise);
    else if (s.ending === 'exclamation') startF0 *= 1 + v.accent;
  }
  return [startF0, endF0];
}

function renderConsonant(ctx: Context, cls: ConsonantClass, start: number, end: number, f0At: (i: number) => number): void {
  if (end <= start) return;
  if (cls === 'sonorant') return renderVoiced(ctx, VOWEL_FORMANTS.nasal, 0.45, start, end, f0At);
  if (cls === 'silent') return;
  const n = end - start;
  // A plosive is a closure (silence) then a short burst; a fricative hisses throughout.
  const burstFrom = cls === 'plosive' ? Math.floor(n * 0.6) : 0;
  const decay = cls === 'plosive' ? Math.exp(-1 / (0.008 * ctx.rate)) : 1;
  let level = cls === 'plosive' ? 0.3 : 0.12;
  let previous = 0;
  for (let i = burstFrom; i < n; i++) {
    const white = ctx.random() * 2 - 1;
    // First difference = high-pass: hiss energy sits above 2 kHz, like s, sh, f.
    const hiss = white - previous;
    previous = white;
    ctx.out[start + i] = (ctx.out[start + i] ?? 0) + hiss * level * envelope(i - burstFrom, n - burstFrom, ctx.rate);
    level *= decay;
  }
}

/** Adds voiced sound (a harmonic stack shaped by `formants`) over [start, end). */
function renderVoiced(
  ctx: Context,
  formants: readonly [number, number, number],
  loudness: number,
  start: number,
  end: number,
  f0At: (i: number) => number,
): void {
  const n = end - start;
  if (n <= 0) return;
  const f0Mid = f0At(start + Math.floor(n / 2));
  const amplitudes = harmonicAmplitudes(ctx.voice, formants, f0Mid, Math.min(MAX_HARMONIC_HZ, ctx.rate * 0.45));
  for (let i = 0; i < n; i++) {
    ctx.phase += (2 * Math.PI * f0At(start + i)) / ctx.rate;
    if (ctx.phase > 2 * Math.PI) ctx.phase -= 2 * Math.PI;
    // sin(kθ) by the Chebyshev recurrence: one sin and one cos per sample instead of one per harmonic.
    const twoCos = 2 * Math.cos(ctx.phase);
    let prev = 0;
    let current = Math.sin(ctx.phase);
    let sum = 0;
    for (const a of amplitudes) {
      sum += a * current;
      const next = twoCos * current - prev;
      prev = current;
      current = next;
    }
    ctx.out[start + i] = (ctx.out[start + i] ?? 0) + sum * loudness * envelope(i, n, ctx.rate);
  }
}

/** Amplitude of harmonics 1..K: a −6 dB/octave source through three resonances. */
function harmonicAmplitudes(voice: VoiceProfile, formants: readonly number[], f0: number, maxHz: number): number[] {
  const count = Math.max(1, Math.floor(maxHz / f0));
  const amplitudes: number[] = [];
  for (let k = 1; k <= count; k++) {
    const f = k * f0;
    let resonance = 0;
    formants.forEach((formant, j) => {
      const centre = formant * voice.formantScale;
      const width = (FORMANT_BANDWIDTHS[j] ?? 150) * voice.formantScale;
      const x = (f - centre) / width;
      resonance += (FORMANT_GAINS[j] ?? 0) / (1 + x * x);
    });
    amplitudes.push((resonance + voice.buzz + 0.02) / k);
  }
  return amplitudes;
}

/** Raised-cosine attack and release, so syllables start and stop without clicks. */
function envelope(i: number, n: number, rate: number): number {
  const attack = Math.min(n / 2, (ATTACK_MS * rate) / 1000);
  const release = Math.min(n / 2, (RELEASE_MS * rate) / 1000);
  if (i < attack) return 0.5 - 0.5 * Math.cos((Math.PI * i) / attack);
  const fromEnd = n - 1 - i;
  if (fromEnd < release) return 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / release);
  return 1;
}
