import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/engine/auth/apiKeys.js';
import { hashingGate } from '../../../src/engine/auth/passwords.js';
import { startDozvon, type RunningDozvon } from '../../../src/main.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { freshDatabaseEnv, pgliteTemplate } from '../../support/db.js';

/**
 * Guessing is limited: failed sign-ins per account and per client address, wrong setup codes, bad
 * API keys — each refused with 429, Retry-After and a message in the caller's language once its
 * limit is used up, before the password, code or key is even checked. Password hashing (16 MB
 * each) runs at most two at a time.
 *
 * The server believes X-Forwarded-For from one proxy here (TRUST_PROXY=1), so each test plays its
 * own client addresses.
 */
interface ErrorBody {
  error: { code: string; message: string; details: { path: string; reason: string }[] };
}

let t: TestApp;
const manager = { email: 'limits-manager@example.com', password: 'manager-password-1' };

beforeAll(async () => {
  t = await startTestApp({ TRUST_PROXY: '1', AUTH_FAILURES_PER_ACCOUNT: '3', AUTH_FAILURES_PER_ADDRESS: '6', AUTH_BLOCK_MINUTES: '15' });
  const r = await t.api('POST', '/users', { ...manager, name: 'Manager', role: 'manager' });
  expect(r.status).toBe(201);
});
afterAll(async () => t?.stop());

const from = (ip: string, headers: Record<string, string> = {}) => ({ token: null, headers: { 'x-forwarded-for': ip, ...headers } });
const signIn = (ip: string, email: string, password: string, headers: Record<string, string> = {}) =>
  t.api<ErrorBody & { token: string }>('POST', '/auth/login', { email, password }, from(ip, headers));

/** Makes the stored counters of every limit expire now, as if the block time had passed. */
const letTimePass = () => t.dozvon.app.db.query('UPDATE rate_limits SET expire = $1', [Date.now() - 1]);

describe('sign-in limits', () => {
  it('after 3 wrong passwords the account is refused with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn('198.51.100.1', manager.email, 'wrong-password-x')).status).toBe(401);
    const blocked = await signIn('198.51.100.1', manager.email, manager.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(blocked.body.error.message).toBe('Too many failed sign-in attempts. Try again in 15 min.');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(blocked.headers.get('cache-control')).toBe('no-store');
    // From another address too: the limit is the account's.
    const elsewhere = await signIn('198.51.100.2', manager.email, manager.password, { 'accept-language': 'ru' });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.error.message).toBe('Слишком много неудачных попыток входа. Попробуйте снова через 15 мин.');
    // Other accounts are not affected.
    const admin = (await t.api<{ email: string }>('GET', '/auth/me')).body.email;
    expect((await signIn('198.51.100.1', admin, 'correct-horse-battery')).status).toBe(200);
    // Once the block time has passed, the right password works again.
    await letTimePass();
    expect((await signIn('198.51.100.1', manager.email, manager.password)).status).toBe(200);
  });

  it('a correct password forgets the failures before it', async () => {
    await letTimePass();
    // Without the reset the second round would be the account's 4th failure (limit 3).
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expect((await signIn('198.51.100.3', manager.email, 'wrong-password-x')).status).toBe(401);
      expect((await signIn('198.51.100.3', manager.email, manager.password)).status).toBe(200);
    }
  });

  it('one address trying many accounts is refused after 6 failures, for any account', async () => {
    await letTimePass();
    for (let i = 0; i < 6; i++) expect((await signIn('203.0.113.9', `nobody-${i}@example.com`, 'wrong-password-x')).status).toBe(401);
    const blocked = await signIn('203.0.113.9', manager.email, manager.password);
    expect(blocked.status).toBe(429);
    // An IPv6 client cannot escape by rotating addresses inside its /64.
    for (let i = 0; i < 6; i++) expect((await signIn(`2001:db8:1:2::${i + 1}`, `v6-${i}@example.com`, 'wrong-password-x')).status).toBe(401);
    expect((await signIn('2001:db8:1:2:ffff::7', manager.email, manager.password)).status).toBe(429);
    expect((await signIn('2001:db8:1:3::1', manager.email, manager.password)).status).toBe(200);
  });

  it('without TRUST_PROXY a forged X-Forwarded-For does not give a fresh address', async () => {
    const direct = await startTestApp({ AUTH_FAILURES_PER_ACCOUNT: '100', AUTH_FAILURES_PER_ADDRESS: '2' });
    try {
      const attempt = (i: number) =>
        direct.api('POST', '/auth/login', { email: `x${i}@example.com`, password: 'wrong-password-x' }, { token: null, headers: { 'x-forwarded-for': `192.0.2.${i}` } });
      expect((await attempt(1)).status).toBe(401);
      expect((await attempt(2)).status).toBe(401);
      expect((await attempt(3)).status).toBe(429);
    } finally {
      await direct.stop();
    }
  });

  it('password hashing runs at most two at a time under a flood; the excess waits or gets 503, never 500', async () => {
    await letTimePass();
    const before = hashingGate.stats();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(`192.0.2.${i + 10}`, `flood-${i}@example.com`, 'wrong-password-x')));
    for (const r of results) {
      expect([401, 503]).toContain(r.status);
      if (r.status === 503) {
        expect(r.body.error.code).toBe('server_busy');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    const after = hashingGate.stats();
    expect(after.peakActive).toBeLessThanOrEqual(2);
    expect(after.active).toBe(0);
    expect(after.waiting).toBe(0);
    expect(after.refused - before.refused).toBe(results.filter((r) => r.status === 503).length);
  });
});

describe('API-key failures', () => {
  it('after 6 bad keys an address is refused with 429 — a valid key from there too — others are not', async () => {
    await letTimePass();
    const good = (await createApiKey(t.dozvon.app, t.tenantId, null, { name: 'limits' })).key;
    const withKey = (ip: string, key: string) => t.api<ErrorBody>('GET', '/campaigns', undefined, from(ip, { 'x-api-key': key }));
    for (let i = 0; i < 6; i++) expect((await withKey('198.51.100.50', `dzv_zzzzzzzz_${String(i).repeat(32).slice(0, 32)}`)).status).toBe(401);
    const blocked = await withKey('198.51.100.50', 'dzv_nope');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toContain('invalid API keys');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await withKey('198.51.100.50', good)).status).toBe(429);
    expect((await withKey('198.51.100.51', good)).status).toBe(200);
    // Valid keys are never counted.
    for (let i = 0; i < 10; i++) expect((await withKey('198.51.100.52', good)).status).toBe(200);
  });
});

describe('setup-code guessing', () => {
  let d: RunningDozvon;
  let dataDir: string;
  beforeAll(async () => {
    const dbEnv = await freshDatabaseEnv();
    dataDir = dbEnv.DATA_DIR;
    d = await startDozvon({ PORT: '0', WORKERS: 'false', SANDBOX_TTS: 'generated', TRUST_PROXY: '1', AUTH_FAILURES_PER_ADDRESS: '3', ...dbEnv }, { pgliteTemplate: pgliteTemplate(), log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const setup = (ip: string, setupCode: string) =>
    fetch(`${d.url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ email: 'first@example.com', name: 'First', password: 'first-password-1', setupCode }),
    });

  it('wrong codes are refused with 403 and, past the limit, with 429 — the right code too — until the block passes', async () => {
    const code = fs.readFileSync(path.join(dataDir, 'setup-code.txt'), 'utf8').trim();
    for (let i = 0; i < 3; i++) expect((await setup('198.51.100.70', `guess-${i}`)).status).toBe(403);
    const blocked = await setup('198.51.100.70', code);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
    expect(((await blocked.json()) as ErrorBody).error.message).toContain('npm run cli -- create-admin');
    // Nothing was created meanwhile.
    expect(Number((await d.app.db.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n)).toBe(0);
    await d.app.db.query('UPDATE rate_limits SET expire = $1', [Date.now() - 1]);
    const ok = await setup('198.51.100.70', code);
    expect(ok.status).toBe(201);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const { token } = (await ok.json()) as { token: string };
    const me = await fetch(`${d.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });
});
