/**
 * Pure audio utilities on one in-memory format (`Pcm`: mono Int16 at a sample rate): WAV
 * decoding, encoding and upload validation, resampling, tones, editing and levels.
 */
export { RECORDING_SAMPLE_RATE, durationMs, samplesForMs, type Pcm } from './pcm.js';
export { decodeWav, WavDecodeError } from './decodeWav.js';
export { encodeWav } from './encodeWav.js';
export {
  inspectWav,
  type InspectWavOptions,
  type WavInfo,
  type WavInfoOk,
  type WavInfoRejected,
} from './inspectWav.js';
export { WAV_REJECT_REASONS, type WavCodec, type WavRejectReason, type WavWarning } from './wavLayout.js';
export type { SniffedFileType } from './sniffFileType.js';
export { resample } from './resample.js';
export { silence, tone, type ToneOptions } from './generate.js';
export {
  BUSY_RU,
  BUSY_US,
  RINGBACK_RU,
  RINGBACK_US,
  answeringMachineBeep,
  busyTone,
  cadencedTone,
  ringback,
  specialInformationTone,
  type Cadence,
  type TelephonyToneOptions,
} from './telephonyTones.js';
export { concat } from './concat.js';
export { mix } from './mix.js';
export { gain, normalizePeak } from './gain.js';
export { isSilent, peak, rms, toDbfs } from './levels.js';
export { trimSilence } from './trimSilence.js';
