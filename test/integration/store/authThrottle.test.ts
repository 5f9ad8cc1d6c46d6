import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.js';
import { addressKey, createAuthThrottle, sweepRateLimits, type AuthThrottle } from '../../../src/engine/auth/throttle.js';
import type { Db } from '../../../src/store/db.js';
import { onRealPostgres, openTestDatabase } from '../../support/db.js';

/**
 * The guessing limits keep their counters in the database (rate-limiter-flexible's PostgreSQL
 * store over our pool): two processes on one database share them. On PGlite the two throttles
 * share the one embedded database; on a real server (CI step 2) they use separate pools, as two
 * processes would.
 */
let db: Db;
let other: Db;
let close: () => Promise<void>;
let closeOther: () => Promise<void> = async () => undefined;
const settings = { failuresPerAccount: 3, failuresPerAddress: 5, windowSec: 600 };

beforeAll(async () => {
  const opened = await openTestDatabase();
  db = opened.db;
  close = opened.close;
  if (onRealPostgres()) {
    const pool = new pg.Pool({ connectionString: opened.env.DATABASE_URL, max: 2 });
    other = Object.assign(pool, { kind: 'postgres' as const }) as unknown as Db;
    closeOther = () => pool.end();
  } else {
    other = db;
  }
});
afterAll(async () => {
  await closeOther();
  await close();
});

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('the sign-in, setup and API-key throttle on the database', () => {
  it('failures counted by one process block the account in another; success there forgets them', async () => {
    const a: AuthThrottle = createAuthThrottle(db, settings);
    const b: AuthThrottle = createAuthThrottle(other, settings);
    await a.beginSignIn('Shared@Example.com', '10.1.0.1');
    await b.beginSignIn('shared@example.com', '10.1.0.2');
    await a.beginSignIn('shared@example.com ', '10.1.0.3');
    const e = await refusal(b.beginSignIn('shared@example.com', '10.1.0.4'));
    expect(e.code).toBe('rate_limited');
    expect(e.key).toBe('errors.sign_in_rate_limited');
    expect(e.params).toEqual({ minutes: 10 });
    expect(e.extra.retryAfterSec).toBeGreaterThan(590);
    // Still refused from the first process, and a right password would not even be checked.
    await refusal(a.beginSignIn('shared@example.com', '10.1.0.5'));
    await db.query('UPDATE rate_limits SET expire = $1', [Date.now() - 1]);
    await a.beginSignIn('shared@example.com', '10.1.0.6');
    await b.signInSucceeded('shared@example.com', '10.1.0.6');
    for (let i = 0; i < 3; i++) await a.beginSignIn('shared@example.com', '10.1.0.7');
  });

  it('an address is limited across accounts; a successful sign-in gives its attempt back', async () => {
    const a = createAuthThrottle(db, settings);
    const b = createAuthThrottle(other, settings);
    for (let i = 0; i < 4; i++) await (i % 2 ? a : b).beginSignIn(`user${i}@example.com`, '10.2.0.1');
    await a.beginSignIn('good@example.com', '10.2.0.1');
    await b.signInSucceeded('good@example.com', '10.2.0.1');
    await a.beginSignIn('user9@example.com', '10.2.0.1');
    expect((await refusal(b.beginSignIn('user10@example.com', '10.2.0.1'))).key).toBe('errors.sign_in_rate_limited');
  });

  it('bad API keys counted in two processes block an address; the check before a lookup costs no query', async () => {
    const a = createAuthThrottle(db, settings);
    const b = createAuthThrottle(other, settings);
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).apiKeyFailed('10.3.0.1');
    await a.assertApiKeyAllowed('10.3.0.1');
    expect((await refusal(b.apiKeyFailed('10.3.0.1'))).key).toBe('errors.api_key_rate_limited');
    // The process that saw the block refuses the address before looking up any key.
    expect((await refusal(b.assertApiKeyAllowed('10.3.0.1'))).key).toBe('errors.api_key_rate_limited');
    // The other one learns it from the shared counter at the address's next bad key.
    await a.assertApiKeyAllowed('10.3.0.1');
    expect((await refusal(a.apiKeyFailed('10.3.0.1'))).key).toBe('errors.api_key_rate_limited');
    expect((await refusal(a.assertApiKeyAllowed('10.3.0.1'))).key).toBe('errors.api_key_rate_limited');
    await b.assertApiKeyAllowed('10.3.0.2');
    // Every request with a key passes this check: it must not touch the database.
    let queries = 0;
    const counted = createAuthThrottle({ query: (text: string, params?: readonly unknown[]) => (queries++, db.query(text, params)) } as Db, settings);
    for (let i = 0; i < 5; i++) await counted.assertApiKeyAllowed('10.3.0.3');
    expect(queries).toBe(0);
  });

  it('setup codes: per address and over all addresses', async () => {
    const a = createAuthThrottle(db, { ...settings, failuresPerAddress: 2 });
    await a.beginSetup('10.4.0.1');
    await a.beginSetup('10.4.0.1');
    expect((await refusal(a.beginSetup('10.4.0.1'))).key).toBe('errors.setup_rate_limited');
    // 10 × the per-address limit over all addresses (2 used above; the refused one counted nothing there).
    for (let i = 0; i < 18; i++) await a.beginSetup(`10.5.0.${i}`);
    expect((await refusal(a.beginSetup('10.6.0.1'))).key).toBe('errors.setup_rate_limited');
  });

  it('an operator can unblock an account or an address (npm run cli -- unblock)', async () => {
    const a = createAuthThrottle(db, settings);
    for (let i = 0; i < 3; i++) await a.beginSignIn('locked@example.com', `10.7.0.${i}`);
    await refusal(a.beginSignIn('locked@example.com', '10.7.0.9'));
    await createAuthThrottle(other, settings).forgetAccount('Locked@Example.com');
    await a.beginSignIn('locked@example.com', '10.7.0.9');
    for (let i = 0; i < 5; i++) await a.apiKeyFailed('10.8.0.1');
    await refusal(a.apiKeyFailed('10.8.0.1'));
    await a.forgetAddress('10.8.0.1');
    await a.assertApiKeyAllowed('10.8.0.1');
  });

  it('expired counters are swept', async () => {
    await db.query('UPDATE rate_limits SET expire = $1', [Date.now() - 2 * 3_600_000]);
    expect(await sweepRateLimits(db, Date.now())).toBeGreaterThan(0);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM rate_limits')).rows[0]!.n)).toBe(0);
  });

  it('addresses: IPv4 as is (also mapped into IPv6), IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:a:b:1:2:3:4')).toBe(addressKey('2001:db8:a:b::99'));
    expect(addressKey('2001:db8:a:c::1')).not.toBe(addressKey('2001:db8:a:b::1'));
    expect(addressKey('not an address')).toMatch(/^other:/);
  });
});
