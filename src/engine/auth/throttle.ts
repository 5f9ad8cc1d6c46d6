import ipaddr from 'ipaddr.js';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { sha256Hex } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import type { Queryable } from '../../store/db.js';

/**
 * Limits on guessing: failed sign-ins per account and per client address, setup-code attempts,
 * API-key failures. Counters live in PostgreSQL (rate-limiter-flexible's store, table
 * `rate_limits` from migration 0020), so every Dozvon process sharing a database shares them.
 *
 * Sign-in and setup reserve a point *before* the password or code is checked (so parallel guesses
 * cannot overshoot the limit) and give it back when the attempt succeeds; once the limit is used
 * up, the next attempt is refused with 429 and Retry-After for the block time, without checking
 * anything. API keys count failures only, since a valid key is used on every request; a block is
 * also remembered in the process that saw it, so a blocked address is refused there before its keys
 * are looked up, while a valid key costs no extra query.
 */
export interface ThrottleSettings {
  /** Failed sign-ins allowed per account (e-mail) within `windowSec`. */
  failuresPerAccount: number;
  /** Failed sign-ins, setup codes or API keys allowed per client address within `windowSec`. */
  failuresPerAddress: number;
  /** The window failures are counted in, and how long a block lasts once the limit is reached. */
  windowSec: number;
}

/** A refusal: which limit, and when to come back. */
export function rateLimited(key: string, msBeforeNext: number): DomainError {
  const retryAfterSec = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError('rate_limited', key, { minutes: Math.max(1, Math.ceil(retryAfterSec / 60)) }, [], { retryAfterSec });
}

/**
 * The client address a limit is kept for: IPv4 as is (also when mapped into IPv6), IPv6 by its /64
 * — one subscriber usually holds a whole /64, so single addresses would be free to rotate.
 */
export function addressKey(ip: string): string {
  try {
    let a = ipaddr.parse(ip);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    if (a.kind() === 'ipv4') return a.toString();
    return `${(a as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
  } catch {
    return `other:${sha256Hex(ip).slice(0, 32)}`;
  }
}

/** Accounts are counted by a hash of the lower-cased e-mail: fixed length, nothing personal in the table. */
export const accountKey = (email: string): string => sha256Hex(email.trim().toLowerCase());

/** rate-limiter-flexible calls `query({text, values, name})`; our pool (PGlite or pg) takes (text, values). */
function storeClient(db: Queryable) {
  return { query: (q: { text: string; values?: unknown[] }) => db.query(q.text, q.values ?? []) };
}

function limiter(db: Queryable, keyPrefix: string, points: number, windowSec: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: storeClient(db),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    // Expired rows are swept by the scheduled job (no timer per limiter in every process).
    clearExpiredByTimeout: false,
    keyPrefix,
    points,
    duration: windowSec,
    blockDuration: windowSec,
  } as ConstructorParameters<typeof RateLimiterPostgres>[0]);
}

/** Consumes a point on each key in turn; refused (429) at the first whose limit is used up. */
async function reserve(entries: { l: RateLimiterPostgres; key: string }[], messageKey: string): Promise<void> {
  for (const e of entries) {
    try {
      await e.l.consume(e.key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw rateLimited(messageKey, res.msBeforeNext);
      throw res;
    }
  }
}

/** Refused when the key is blocked (nothing consumed). */
async function assertOpen(l: RateLimiterMemory, key: string, messageKey: string): Promise<void> {
  const res = await l.get(key);
  if (res && res.consumedPoints > l.points) throw rateLimited(messageKey, res.msBeforeNext);
}

export interface AuthThrottle {
  /** Before a password is checked: refused (429) when the account or the address has no attempts left. */
  beginSignIn(email: string, ip: string | undefined): Promise<void>;
  /** After a correct password: the account's failures are forgotten, the address's attempt given back. */
  signInSucceeded(email: string, ip: string | undefined): Promise<void>;
  /** Before a setup code is checked (per address, and over all addresses). */
  beginSetup(ip: string | undefined): Promise<void>;
  setupSucceeded(ip: string | undefined): Promise<void>;
  /** Before an API key is looked up: refused while this process knows the address blocked for bad keys (no query). */
  assertApiKeyAllowed(ip: string | undefined): Promise<void>;
  /** A wrong key: counted; refused (429) when that used up the address's limit. */
  apiKeyFailed(ip: string | undefined): Promise<void>;
  /** Forgets the failures of an address, everywhere (an operator unblocking it). */
  forgetAddress(ip: string): Promise<void>;
  /** Forgets an account's failed sign-ins (an operator unblocking it). */
  forgetAccount(email: string): Promise<void>;
}

export function createAuthThrottle(db: Queryable, s: ThrottleSettings): AuthThrottle {
  const signInAccount = limiter(db, 'signin_account', s.failuresPerAccount, s.windowSec);
  const signInAddress = limiter(db, 'signin_address', s.failuresPerAddress, s.windowSec);
  const setupAddress = limiter(db, 'setup_address', s.failuresPerAddress, s.windowSec);
  // Guessing the setup code from many addresses at once: the first admin can still use the CLI.
  const setupAll = limiter(db, 'setup_all', s.failuresPerAddress * 10, s.windowSec);
  const apiKeyAddress = limiter(db, 'apikey_address', s.failuresPerAddress, s.windowSec);
  const apiKeyBlockedHere = new RateLimiterMemory({ keyPrefix: 'apikey_blocked', points: 1, duration: s.windowSec });
  const address = (ip: string | undefined) => (ip ? [addressKey(ip)] : []);

  return {
    async beginSignIn(email, ip) {
      await reserve([...address(ip).map((key) => ({ l: signInAddress, key })), { l: signInAccount, key: accountKey(email) }], 'errors.sign_in_rate_limited');
    },
    async signInSucceeded(email, ip) {
      await signInAccount.delete(accountKey(email));
      for (const key of address(ip)) await signInAddress.reward(key, 1);
    },
    async beginSetup(ip) {
      await reserve([...address(ip).map((key) => ({ l: setupAddress, key })), { l: setupAll, key: 'all' }], 'errors.setup_rate_limited');
    },
    async setupSucceeded(ip) {
      await setupAll.delete('all');
      for (const key of address(ip)) await setupAddress.reward(key, 1);
    },
    async assertApiKeyAllowed(ip) {
      for (const key of address(ip)) await assertOpen(apiKeyBlockedHere, key, 'errors.api_key_rate_limited');
    },
    async apiKeyFailed(ip) {
      for (const key of address(ip)) {
        try {
          await reserve([{ l: apiKeyAddress, key }], 'errors.api_key_rate_limited');
        } catch (e) {
          const retryAfterSec = e instanceof DomainError ? e.extra.retryAfterSec : undefined;
          if (typeof retryAfterSec === 'number') await apiKeyBlockedHere.block(key, retryAfterSec);
          throw e;
        }
      }
    },
    async forgetAddress(ip) {
      const key = addressKey(ip);
      for (const l of [signInAddress, setupAddress, apiKeyAddress, apiKeyBlockedHere]) await l.delete(key);
    },
    async forgetAccount(email) {
      await signInAccount.delete(accountKey(email));
    },
  };
}

/** Removes counters that expired more than an hour ago (a scheduled job). */
export async function sweepRateLimits(db: Queryable, now: number): Promise<number> {
  const r = await db.query('DELETE FROM rate_limits WHERE expire < $1', [now - 3_600_000]);
  return r.rowCount ?? 0;
}
