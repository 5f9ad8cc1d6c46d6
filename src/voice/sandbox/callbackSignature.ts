import { hmacHex, safeEqual } from '../../core/crypto.js';

/**
 * Sandbox callbacks are signed like a real platform's webhooks: HMAC-SHA256 over
 * "<unix seconds>.<raw body>", with a five-minute window against replays of old captures.
 */
export const SIGNATURE_HEADER = 'x-dozvon-signature';
export const TIMESTAMP_HEADER = 'x-dozvon-timestamp';
const MAX_SKEW_SEC = 300;

export function signCallback(key: Buffer, body: string, nowSec: number): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(nowSec), [SIGNATURE_HEADER]: `sha256=${hmacHex(key, `${nowSec}.${body}`)}` };
}

export function verifyCallback(key: Buffer, body: string, headers: { timestamp?: string; signature?: string }, nowSec: number): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(nowSec - ts) > MAX_SKEW_SEC) return false;
  return safeEqual(headers.signature, `sha256=${hmacHex(key, `${ts}.${body}`)}`);
}
