import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { decryptSecret, deriveKey, encryptSecret, hmacHex, hmacSecretKey, randomToken, safeEqual, sha256Hex } from '../../../src/core/crypto.js';

const master = 'a long random master key for tests';
const key = deriveKey(master, 'token-encryption');

/** Replaces one part of a sealed secret `v1.<iv>.<tag>.<ciphertext>`. */
function withPart(sealed: string, index: number, edit: (b: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = edit(Buffer.from(parts[index] ?? '', 'base64url')).toString('base64url');
  return parts.join('.');
}
const flipFirstBit = (b: Buffer) => {
  const c = Buffer.from(b);
  c[0] = (c[0] ?? 0) ^ 1;
  return c;
};

describe('safeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['пароль', 'пароль', true],
    ['пароль', 'паролъ', false],
  ])('%j vs %j → %s', (a, b, equal) => {
    expect(safeEqual(a, b)).toBe(equal);
  });
});

describe('encryptSecret / decryptSecret', () => {
  it.each(['refresh-token-123', '', 'токен с кириллицей и эмодзи 🔑', 'x'.repeat(10_000)])('a secret survives the round trip (%#)', (plain) => {
    expect(decryptSecret(key, encryptSecret(key, plain))).toBe(plain);
  });

  it('the sealed form is versioned and never contains the plaintext', () => {
    const sealed = encryptSecret(key, 'refresh-token-123');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('refresh-token');
  });

  it('encrypting the same secret twice gives different outputs (a fresh IV each time)', () => {
    expect(encryptSecret(key, 'same')).not.toBe(encryptSecret(key, 'same'));
  });

  it.each([
    [1, 'the IV'],
    [2, 'the authentication tag'],
    [3, 'the ciphertext'],
  ])('a flipped bit in %s (part %i) is detected', (index) => {
    const sealed = encryptSecret(key, 'refresh-token-123');
    expect(() => decryptSecret(key, withPart(sealed, index as number, flipFirstBit))).toThrow();
  });

  it('a truncated authentication tag is refused (a 4-byte tag could be forged)', () => {
    const sealed = encryptSecret(key, 'refresh-token-123');
    for (const bytes of [4, 8, 12, 15]) {
      expect(() => decryptSecret(key, withPart(sealed, 2, (b) => b.subarray(0, bytes))), `${bytes} bytes`).toThrow();
    }
  });

  it('another key cannot decrypt', () => {
    const sealed = encryptSecret(key, 'refresh-token-123');
    expect(() => decryptSecret(deriveKey('another master', 'token-encryption'), sealed)).toThrow();
  });

  it.each(['', 'plain text', 'v2.a.b.c', 'v1..b.c', 'v1.a..c', 'v1.a.b'])('%j is not an encrypted secret', (sealed) => {
    expect(() => decryptSecret(key, sealed)).toThrow('not an encrypted secret');
  });
});

describe('deriveKey', () => {
  it('gives a 32-byte key, the same for the same master and purpose', () => {
    expect(deriveKey(master, 'session')).toHaveLength(32);
    expect(deriveKey(master, 'session').equals(deriveKey(master, 'session'))).toBe(true);
  });

  it('separates purposes: a signing key is not the encryption key', () => {
    const purposes = ['session', 'recording-url', 'voice-callback', 'token-encryption', 'webhook', 'api-key', 'widget'] as const;
    const hexes = purposes.map((p) => deriveKey(master, p).toString('hex'));
    expect(new Set(hexes).size).toBe(purposes.length);
    expect(hexes).not.toContain(Buffer.from(master).toString('hex'));
  });

  it('a secret sealed with one purpose cannot be opened with another', () => {
    const sealed = encryptSecret(deriveKey(master, 'token-encryption'), 'x');
    expect(() => decryptSecret(deriveKey(master, 'webhook'), sealed)).toThrow();
  });

  it('different masters give different keys', () => {
    expect(deriveKey('one', 'session').equals(deriveKey('two', 'session'))).toBe(false);
  });
});

describe('hashes and tokens', () => {
  it('hmacHex and sha256Hex are standard SHA-256 (known vectors)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // RFC 4231 test case 2.
    expect(hmacHex('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('random tokens are URL-safe and differ', () => {
    const a = randomToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(randomToken()).not.toBe(a);
    expect(randomToken(8)).toHaveLength(11);
  });
});

describe('hmacSecretKey', () => {
  it('is the same key as the raw secret, made once per secret', () => {
    const raw = crypto.randomBytes(32);
    const key = hmacSecretKey(raw);
    expect(hmacSecretKey(raw)).toBe(key);
    expect(hmacSecretKey('client-secret')).toBe(hmacSecretKey('client-secret'));
    // A token signed with the raw bytes verifies with the key object, and the other way round.
    const signed = jwt.sign({ a: 1 }, raw, { algorithm: 'HS256' });
    expect(jwt.verify(signed, key, { algorithms: ['HS256'] })).toMatchObject({ a: 1 });
    const back = jwt.sign({ b: 2 }, hmacSecretKey('client-secret'), { algorithm: 'HS256' });
    expect(jwt.verify(back, 'client-secret', { algorithms: ['HS256'] })).toMatchObject({ b: 2 });
    expect(() => jwt.verify(back, hmacSecretKey('another secret'), { algorithms: ['HS256'] })).toThrow(/invalid signature/);
  });
});
