import {
  answeringMachineBeep,
  decodeWav,
  durationMs,
  encodeWav,
  mix,
  RECORDING_SAMPLE_RATE,
  resample,
  ringback,
  silence,
  type Pcm,
} from '../audio/index.js';
import type { Recorder, Segment, Voice } from './recorder.js';
import type { SpeechSynthesizer, SpeechVoice } from './speech/index.js';

/**
 * Renders a finished sandbox call into a mono 8 kHz WAV: every segment is synthesised (or
 * generated: beeps, ringback, the uploaded greeting) and laid at its moment in the call. Spoken
 * turns never overlap: a turn that came out longer than estimated pushes the next one later.
 */
const VOICE_OF: Record<Voice, SpeechVoice> = { bot: 'bot', female: 'female', male: 'male', machine: 'machine', operator: 'male' };

async function audioOf(seg: Segment, synth: SpeechSynthesizer, lang: 'ru' | 'en'): Promise<Pcm | undefined> {
  const rate = RECORDING_SAMPLE_RATE;
  switch (seg.kind) {
    case 'speech':
      return seg.text.trim() ? synth.synthesize(seg.text, { lang, voice: VOICE_OF[seg.voice] }) : undefined;
    case 'beep':
      return answeringMachineBeep({ sampleRate: rate });
    case 'ringback':
      return ringback(seg.ms, { sampleRate: rate });
    case 'wav':
      try {
        return resample(decodeWav(seg.wav), rate);
      } catch {
        return undefined; // an unreadable greeting is left out rather than failing the call
      }
  }
}

export async function renderRecording(synth: SpeechSynthesizer, recorder: Pick<Recorder, 'segments'>, talkMs: number, lang: 'ru' | 'en'): Promise<Buffer> {
  const rate = RECORDING_SAMPLE_RATE;
  const parts = await Promise.all(recorder.segments.map(async (seg) => ({ seg, pcm: await audioOf(seg, synth, lang) })));
  let track = silence(Math.max(500, Math.round(talkMs)), rate);
  let speechEnd = 0;
  for (const { seg, pcm } of parts.sort((a, b) => a.seg.atMs - b.seg.atMs)) {
    if (!pcm) continue;
    const at = seg.kind === 'speech' ? Math.max(seg.atMs, speechEnd) : seg.atMs;
    track = mix(track, pcm, at);
    if (seg.kind === 'speech') speechEnd = at + durationMs(pcm) + 150;
  }
  return encodeWav(track);
}
