import { randomBytes, randomInt } from 'node:crypto';

/** Lower-case hex of `bytes` random bytes. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * PHP `uniqid('', true)` look-alike (`664fa13bbbb410.99176768`): Bitrix24 workflow ids have this
 * shape and apps sometimes log or parse them.
 */
export function phpUniqId(nowMs: number): string {
  const micros = BigInt(nowMs) * 1000n + BigInt(randomInt(1000));
  const sec = micros / 1_000_000n;
  const usec = micros % 1_000_000n;
  const head = sec.toString(16).padStart(8, '0') + usec.toString(16).padStart(5, '0');
  return `${head}.${randomInt(10_000_000, 99_999_999)}`;
}

/** Real tokens are opaque lower-case alphanumerics of ~70 chars; the exact shape is not a contract. */
export function newToken(): string {
  return randomHex(35);
}
