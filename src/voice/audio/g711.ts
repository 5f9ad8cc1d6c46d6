/**
 * G.711 µ-law and A-law expansion to 16-bit linear (ITU-T G.711), as lookup tables built once.
 * Hand-written rather than taken from wavefile: its dist bundle exports only the WaveFile class,
 * whose parser cannot be pointed at a byte range we have already validated.
 */

function expandMuLaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function expandALaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function table(expand: (b: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let b = 0; b < 256; b++) t[b] = expand(b);
  return t;
}

/** µ-law byte → linear 16-bit sample. */
export const MULAW_TO_LINEAR: Int16Array = table(expandMuLaw);
/** A-law byte → linear 16-bit sample. */
export const ALAW_TO_LINEAR: Int16Array = table(expandALaw);
