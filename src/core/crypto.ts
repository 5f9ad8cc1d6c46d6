import crypto from 'node:crypto';

/**
 * Keys, signatures and encryption at rest. One master key (SECRET_KEY or the generated key file)
 * is never used directly: each purpose derives its own subkey, so a leaked signing key cannot
 * decrypt tokens.
 */
export type KeyPurpose = 'session' | 'recording-url' | 'voice-callback' | 'token-encryption' | 'webhook' | 'api-key' | 'widget';

export function deriveKey(master: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', Buffer.from(master, 'utf8'), Buffer.from('dozvon'), Buffer.from(purpose), 32));
}

/**
 * A shared secret as the KeyObject the JWT library takes. Given raw bytes or a string, jsonwebtoken
 * first tries to read them as a PEM public or private key and only takes them as a secret once
 * OpenSSL has failed and thrown: ~0.7 ms of the event loop for every console request and widget
 * call (profile of the 50/s pacing run). Made once per secret; the secrets are few (the session key,
 * one per configured amoCRM integration), and a string secret no longer configured is kept at most
 * until 64 others have come.
 */
const bufferKeys = new WeakMap<Buffer, crypto.KeyObject>();
const stringKeys = new Map<string, crypto.KeyObject>();

export function hmacSecretKey(secret: Buffer | string): crypto.KeyObject {
  if (typeof secret !== 'string') {
    let key = bufferKeys.get(secret);
    if (!key) bufferKeys.set(secret, (key = crypto.createSecretKey(Buffer.from(secret))));
    return key;
  }
  let key = stringKeys.get(secret);
  if (!key) {
    if (stringKeys.size >= 64) stringKeys.clear();
    stringKeys.set(secret, (key = crypto.createSecretKey(Buffer.from(secret, 'utf8'))));
  }
  return key;
}

export function hmacHex(key: Buffer | string, data: string): string {
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}

/** Constant-time comparison of two strings (length checked first, as timingSafeEqual requires). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    // Compare against itself so a length mismatch costs about the same time.
    crypto.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.timingSafeEqual(ab, bb);
}

/** AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptSecret(key: Buffer, sealed: string): string {
  const [v, iv, tag, ct] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not an encrypted secret');
  // A fixed tag length: otherwise GCM accepts a tag truncated to 4 bytes, which is forgeable.
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export function randomToken(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256Hex(data: string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
