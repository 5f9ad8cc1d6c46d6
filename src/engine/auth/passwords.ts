import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { ConcurrencyGate } from './concurrencyGate.js';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, keylen: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt with per-password salt; the parameters travel with the hash so they can be raised later. */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/**
 * Every hash costs 16 MB (128·N·r bytes) and a thread of libuv's pool of four for ~50–100 ms: a
 * flood of sign-ins must not exhaust memory or starve file and DNS work sharing that pool. Two run
 * at once, 32 more may wait up to 5 s, the rest are refused with 503 (the process is shared by
 * every tenant, so this bound is per process).
 */
export const hashingGate = new ConcurrencyGate({ max: 2, maxWaiting: 32, maxWaitMs: 5000, retryAfterSec: 2 });

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await hashingGate.run(() => scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 }));
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await hashingGate.run(() =>
    scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: 64 * 1024 * 1024,
    }),
  );
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs the same as against a real one. */
export const DUMMY_HASH_PROMISE = hashPassword(crypto.randomBytes(16).toString('hex'));
