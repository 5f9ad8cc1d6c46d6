import { describe, expect, it } from 'vitest';
import { deriveKey } from '../../../../src/core/crypto.js';
import { signCallback, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCallback } from '../../../../src/voice/sandbox/callbackSignature.js';

const key = deriveKey('master', 'voice-callback');
const body = JSON.stringify({ attemptId: 'a1', type: 'answered' });
const now = 1_750_000_000;

function signed(at = now, b = body) {
  const h = signCallback(key, b, at);
  return { timestamp: h[TIMESTAMP_HEADER], signature: h[SIGNATURE_HEADER] };
}

describe('sandbox callback signatures', () => {
  it('signs with a timestamp and an HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const h = signCallback(key, body, now);
    expect(Object.keys(h).sort()).toEqual(['x-dozvon-signature', 'x-dozvon-timestamp']);
    expect(h[TIMESTAMP_HEADER]).toBe(String(now));
    expect(h[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('a valid callback verifies', () => {
    expect(verifyCallback(key, body, signed(), now)).toBe(true);
  });

  it('a tampered body is refused', () => {
    expect(verifyCallback(key, body.replace('answered', 'busy'), signed(), now)).toBe(false);
    expect(verifyCallback(key, `${body} `, signed(), now)).toBe(false);
  });

  it('a timestamp changed after signing is refused', () => {
    expect(verifyCallback(key, body, { ...signed(), timestamp: String(now + 1) }, now)).toBe(false);
  });

  it('clock skew of up to five minutes either way is tolerated', () => {
    expect(verifyCallback(key, body, signed(now - 300), now)).toBe(true);
    expect(verifyCallback(key, body, signed(now + 300), now)).toBe(true);
  });

  it('a stale capture (older than five minutes) or one from the future is refused even with a valid signature', () => {
    expect(verifyCallback(key, body, signed(now - 301), now)).toBe(false);
    expect(verifyCallback(key, body, signed(now + 301), now)).toBe(false);
  });

  it('a missing header is refused', () => {
    expect(verifyCallback(key, body, { timestamp: String(now) }, now)).toBe(false);
    expect(verifyCallback(key, body, { signature: signed().signature }, now)).toBe(false);
    expect(verifyCallback(key, body, {}, now)).toBe(false);
  });

  it.each(['', 'abc', '1750000000.5', 'NaN'])('a malformed timestamp %j is refused', (timestamp) => {
    expect(verifyCallback(key, body, { ...signed(), timestamp }, now)).toBe(false);
  });

  it('a signature from another key, or without the "sha256=" prefix, is refused', () => {
    const other = signCallback(deriveKey('master', 'webhook'), body, now);
    expect(verifyCallback(key, body, { timestamp: String(now), signature: other[SIGNATURE_HEADER] }, now)).toBe(false);
    expect(verifyCallback(key, body, { ...signed(), signature: signed().signature?.replace('sha256=', '') }, now)).toBe(false);
  });
});
