import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * A user's sessions: each sign-in is a session of its own that can be listed and ended alone;
 * logout ends this one; changing one's own password ends every other session and hands back a
 * fresh token. Tokens that are valid JWTs but name no live session are refused.
 */
interface ErrorBody {
  error: { code: string; message: string; details: { path: string; reason: string; message: string }[] };
}
interface SessionBody {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

let t: TestApp;
let n = 0;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

/** A fresh manager for one test, so the tests do not share sessions. */
async function newUser(): Promise<{ email: string; password: string }> {
  const u = { email: `sessions-${++n}@example.com`, password: `first-password-${n}` };
  expect((await t.api('POST', '/users', { ...u, name: `User ${n}`, role: 'manager' })).status).toBe(201);
  return u;
}

async function signIn(u: { email: string; password: string }, userAgent: string): Promise<string> {
  const r = await t.api<{ token: string }>('POST', '/auth/login', u, { token: null, headers: { 'user-agent': userAgent } });
  expect(r.status).toBe(200);
  // A token must never sit in a cache.
  expect(r.headers.get('cache-control')).toBe('no-store');
  return r.body.token;
}

const me = (token: string) => t.api<ErrorBody>('GET', '/auth/me', undefined, { token });
const sessions = (token: string) => t.api<{ sessions: SessionBody[] }>('GET', '/auth/sessions', undefined, { token });

describe('sessions', () => {
  it('each sign-in is a session; the list shows where from and which one is this; another can be ended alone', async () => {
    const u = await newUser();
    const laptop = await signIn(u, 'Laptop Firefox');
    const phone = await signIn(u, 'Phone Safari');
    const list = await sessions(laptop);
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.body.sessions).toHaveLength(2);
    const mine = list.body.sessions.find((s) => s.current)!;
    const other = list.body.sessions.find((s) => !s.current)!;
    expect(mine).toMatchObject({ userAgent: 'Laptop Firefox', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(other.userAgent).toBe('Phone Safari');
    expect(Date.parse(mine.createdAt)).toBeGreaterThan(0);

    expect((await t.api('DELETE', `/auth/sessions/${other.id}`, undefined, { token: laptop })).status).toBe(204);
    const refused = await me(phone);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('Your session has expired or was ended. Sign in again.');
    expect((await me(laptop)).status).toBe(200);
    expect((await sessions(laptop)).body.sessions.map((s) => s.id)).toEqual([mine.id]);
    // Ending it again, or someone else's session, is "not found".
    expect((await t.api('DELETE', `/auth/sessions/${other.id}`, undefined, { token: laptop })).status).toBe(404);
    const adminSessions = await sessions(t.token);
    const adminSession = adminSessions.body.sessions.find((s) => s.current)!;
    expect((await t.api('DELETE', `/auth/sessions/${adminSession.id}`, undefined, { token: laptop })).status).toBe(404);
    expect((await me(t.token)).status).toBe(200);
  });

  it('logout ends this session only', async () => {
    const u = await newUser();
    const a = await signIn(u, 'A');
    const b = await signIn(u, 'B');
    expect((await t.api('POST', '/auth/logout', undefined, { token: a })).status).toBe(204);
    expect((await me(a)).status).toBe(401);
    expect((await t.api('POST', '/auth/logout', undefined, { token: a })).status).toBe(401);
    expect((await me(b)).status).toBe(200);
    expect((await sessions(b)).body.sessions).toHaveLength(1);
  });

  it('changing one’s password: the current one is checked, every other session ends, a fresh token continues', async () => {
    const u = await newUser();
    const here = await signIn(u, 'Here');
    const there = await signIn(u, 'There');
    const change = (body: unknown, token = here) => t.api<ErrorBody & { token: string }>('POST', '/auth/password', body, { token });

    const wrong = await change({ currentPassword: 'not-my-password', newPassword: 'second-password-1' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details).toEqual([expect.objectContaining({ path: 'currentPassword', reason: 'validation.current_password_wrong', message: 'The current password is wrong.' })]);
    const same = await change({ currentPassword: u.password, newPassword: u.password });
    expect(same.status).toBe(422);
    expect(same.body.error.details[0]).toMatchObject({ path: 'newPassword', reason: 'validation.password_unchanged' });
    const short = await change({ currentPassword: u.password, newPassword: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.error.details[0]).toMatchObject({ path: 'newPassword' });
    // Nothing changed so far.
    expect((await me(there)).status).toBe(200);

    const ok = await change({ currentPassword: u.password, newPassword: 'second-password-1' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(ok.body)).toEqual(['token']);
    expect((await me(here)).status).toBe(401);
    expect((await me(there)).status).toBe(401);
    expect((await me(ok.body.token)).status).toBe(200);
    const list = await sessions(ok.body.token);
    expect(list.body.sessions).toEqual([expect.objectContaining({ current: true })]);
    // The old password no longer signs in; the new one does.
    expect((await t.api('POST', '/auth/login', u, { token: null })).status).toBe(401);
    expect((await t.api('POST', '/auth/login', { email: u.email, password: 'second-password-1' }, { token: null })).status).toBe(200);
  });

  it('an admin resetting a user’s password or disabling them ends that user’s sessions', async () => {
    const u = await newUser();
    const token = await signIn(u, 'X');
    const id = (await t.api<{ id: string }>('GET', '/auth/me', undefined, { token })).body.id;
    expect((await t.api('PATCH', `/users/${id}`, { password: 'reset-by-admin-1' })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    const again = await signIn({ email: u.email, password: 'reset-by-admin-1' }, 'Y');
    expect((await sessions(again)).body.sessions).toHaveLength(1);
    expect((await t.api('PATCH', `/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await me(again)).status).toBe(401);
  });

  it('a correctly signed token that names no session (an old token, a forged jti) is refused', async () => {
    const key = t.dozvon.app.keys.session;
    const claims = JSON.parse(Buffer.from(t.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const { jti: _jti, exp: _exp, iat: _iat, ...rest } = claims;
    const withoutJti = jwt.sign(rest, key, { algorithm: 'HS256', expiresIn: 600 });
    expect((await me(withoutJti)).status).toBe(401);
    const otherJti = jwt.sign(rest, key, { algorithm: 'HS256', expiresIn: 600, jwtid: '00000000-0000-4000-8000-000000000000' });
    expect((await me(otherJti)).status).toBe(401);
  });

  it('API keys have no sessions: the session routes are for signed-in users', async () => {
    const key = await t.api<{ key: string }>('POST', '/api-keys', { name: 'no sessions', role: 'admin' });
    const r = await t.api('GET', '/auth/sessions', undefined, { token: null, headers: { 'x-api-key': key.body.key } });
    expect(r.status).toBe(403);
    expect((await t.api('POST', '/auth/logout', undefined, { token: null })).status).toBe(401);
  });
});
