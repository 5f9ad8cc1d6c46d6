import { PitchDetector } from 'pitchy';

/**
 * The callee's gender from their own channel of the recording, where the platform reports none:
 * the median fundamental frequency of the voiced parts (McLeod pitch method, `pitchy`). Adult men
 * speak around 85–155 Hz, women around 165–255 Hz; a median in between, or too little clear voice
 * (a callee who hardly spoke, a noisy line), gives `unknown` — a wrong answer costs more than none.
 * Measured on espeak-ng male and female voices: bench `gender_accuracy` (`npm run bench -- voice`).
 */
export interface GenderEstimate {
  gender: 'female' | 'male' | 'unknown';
  /** Median pitch of the voiced frames, Hz (null when too little voice was heard). */
  medianHz: number | null;
  /** Seconds of clearly voiced speech the estimate rests on. */
  voicedSec: number;
}

/** Frames of 40 ms (about three periods of a 70 Hz voice), every 16 ms. */
const FRAME_MS = 40;
const HOP_MS = 16;
const MIN_HZ = 70;
const MAX_HZ = 350;
/** Below this much clearly voiced speech (a lone "yes"), say nothing. */
const MIN_VOICED_SEC = 0.15;
/** Enough voice for a stable median: the rest of a long call is not analysed (CPU per call stays bounded). */
const ENOUGH_VOICED_SEC = 20;
const MALE_BELOW_HZ = 158;
const FEMALE_ABOVE_HZ = 172;
const MIN_CLARITY = 0.8;

export function estimateGender(samples: Int16Array, sampleRate: number): GenderEstimate {
  const frame = Math.round((sampleRate * FRAME_MS) / 1000);
  const hop = Math.round((sampleRate * HOP_MS) / 1000);
  if (samples.length < frame) return { gender: 'unknown', medianHz: null, voicedSec: 0 };
  // Loudness gate relative to the loudest part: breaths and line noise are not voice.
  let peakRms = 0;
  const rmsOf = (start: number) => {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += (samples[i]! / 32768) ** 2;
    return Math.sqrt(sum / frame);
  };
  for (let s = 0; s + frame <= samples.length; s += hop) peakRms = Math.max(peakRms, rmsOf(s));
  if (peakRms < 0.005) return { gender: 'unknown', medianHz: null, voicedSec: 0 };
  const detector = PitchDetector.forFloat32Array(frame);
  const gate = peakRms * 0.15;
  detector.minVolumeAbsolute = gate;
  const buf = new Float32Array(frame);
  const pitches: number[] = [];
  const enough = (ENOUGH_VOICED_SEC * 1000) / HOP_MS;
  for (let s = 0; s + frame <= samples.length && pitches.length < enough; s += hop) {
    // Most of the callee's channel is silence (the bot talks): only loud frames are worth a pitch search.
    if (rmsOf(s) < gate) continue;
    for (let i = 0; i < frame; i++) buf[i] = samples[s + i]! / 32768;
    const [hz, clarity] = detector.findPitch(buf, sampleRate);
    if (clarity >= MIN_CLARITY && hz >= MIN_HZ && hz <= MAX_HZ) pitches.push(hz);
  }
  const voicedSec = (pitches.length * HOP_MS) / 1000;
  if (voicedSec < MIN_VOICED_SEC) return { gender: 'unknown', medianHz: null, voicedSec };
  pitches.sort((a, b) => a - b);
  const medianHz = pitches[Math.floor(pitches.length / 2)]!;
  const gender = medianHz < MALE_BELOW_HZ ? 'male' : medianHz > FEMALE_ABOVE_HZ ? 'female' : 'unknown';
  return { gender, medianHz: Math.round(medianHz), voicedSec };
}
