import { describe, expect, it } from 'vitest';
import { deriveKey } from '../../../src/core/crypto.js';
import { signRecordingPath, verifyRecordingLink } from '../../../src/engine/recordingUrls.js';

const key = deriveKey('master', 'recording-url');
const now = new Date('2025-06-17T10:00:00Z');
const mediaId = '0197a3c2-5b1e-7c4d-8e9f-0a1b2c3d4e5f';

/** Splits a signed path back into what the route receives. */
function parts(signed: string) {
  const url = new URL(signed, 'http://dozvon.test');
  return { id: url.pathname.replace('/recordings/', ''), exp: url.searchParams.get('exp') ?? '', sig: url.searchParams.get('sig') ?? '' };
}
const check = (signed: string, at = now, k = key) => {
  const p = parts(signed);
  return verifyRecordingLink(k, p.id, p.exp, p.sig, at);
};

describe('recording links', () => {
  it('a permanent link (for the CRM timeline) has exp=0 and verifies at any time', () => {
    const signed = signRecordingPath(key, mediaId, null);
    expect(signed).toMatch(new RegExp(`^/recordings/${mediaId}\\?exp=0&sig=[0-9a-f]{64}$`));
    expect(check(signed)).toBe('ok');
    expect(check(signed, new Date('2099-01-01T00:00:00Z'))).toBe('ok');
  });

  it('an expiring link verifies until its expiry second and is expired after it', () => {
    const expiresAt = new Date('2025-06-17T11:00:00Z');
    const signed = signRecordingPath(key, mediaId, expiresAt);
    expect(parts(signed).exp).toBe(String(expiresAt.getTime() / 1000));
    expect(check(signed)).toBe('ok');
    expect(check(signed, expiresAt)).toBe('ok');
    expect(check(signed, new Date(expiresAt.getTime() + 1000))).toBe('expired');
  });

  it('the expiry is kept to the second', () => {
    expect(parts(signRecordingPath(key, mediaId, new Date('2025-06-17T11:00:00.999Z'))).exp).toBe(String(Date.parse('2025-06-17T11:00:00Z') / 1000));
  });

  it('a link for one recording does not open another', () => {
    const p = parts(signRecordingPath(key, mediaId, null));
    expect(verifyRecordingLink(key, 'another-recording', p.exp, p.sig, now)).toBe('bad_signature');
  });

  it('an extended expiry is detected (the signature covers it)', () => {
    const p = parts(signRecordingPath(key, mediaId, new Date('2025-06-17T11:00:00Z')));
    expect(verifyRecordingLink(key, p.id, '0', p.sig, now)).toBe('bad_signature');
    expect(verifyRecordingLink(key, p.id, String(Number(p.exp) + 3600), p.sig, now)).toBe('bad_signature');
  });

  it('an expired link whose signature is wrong says "bad signature", not "expired"', () => {
    const p = parts(signRecordingPath(key, mediaId, new Date('2020-01-01T00:00:00Z')));
    expect(verifyRecordingLink(key, p.id, p.exp, p.sig, now)).toBe('expired');
    expect(verifyRecordingLink(key, p.id, p.exp, `${p.sig.slice(0, -1)}0`, now)).toBe('bad_signature');
  });

  it.each([
    ['a changed signature', (s: string) => s.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'a' ? 'b' : 'a'}`)],
    ['a truncated signature', (s: string) => s.slice(0, -2)],
    ['a missing signature', (s: string) => s.replace(/&sig=.*$/, '')],
  ])('%s is refused', (_what, tamper) => {
    expect(check(tamper(signRecordingPath(key, mediaId, null)))).toBe('bad_signature');
  });

  it.each(['', '-1', '1.5', '1e3', ' 0', '0x10', '1234567890123'])('a malformed expiry %j is refused', (exp) => {
    const sig = parts(signRecordingPath(key, mediaId, null)).sig;
    expect(verifyRecordingLink(key, mediaId, exp, sig, now)).toBe('bad_signature');
  });

  it('a link signed with another key is refused', () => {
    expect(check(signRecordingPath(deriveKey('master', 'session'), mediaId, null))).toBe('bad_signature');
  });
});
