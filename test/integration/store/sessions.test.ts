import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSession, startSession } from '../../../src/engine/auth/sessions.js';
import type { Db } from '../../../src/store/db.js';
import { deleteOldSessions, listLiveSessions, revokeOtherSessions, revokeSession } from '../../../src/store/repositories/sessions.js';
import { upsertTenant } from '../../../src/store/repositories/tenants.js';
import { insertUser, setPasswordHash, type User } from '../../../src/store/repositories/users.js';
import { openTestDatabase } from '../../support/db.js';

/** Session rows on PGlite and on a server: live ones listed, ended ones refused, old ones swept. */
let db: Db;
let close: () => Promise<void>;
let user: User;
const key = crypto.randomBytes(32);

beforeAll(async () => {
  ({ db, close } = await openTestDatabase());
  const { tenant } = await upsertTenant(db, { kind: 'console', externalId: `sessions-${crypto.randomUUID()}`, name: 'S', locale: 'en' });
  user = await insertUser(db, { tenantId: tenant.id, email: `s-${crypto.randomUUID()}@example.com`, name: 'S', passwordHash: 'x', role: 'manager', locale: 'en' });
});
afterAll(async () => close?.());

describe('session rows', () => {
  it('a session lives until it is ended, expires, or the user version moves on', async () => {
    const now = new Date();
    const a = await startSession(db, key, user, { ip: '203.0.113.1', userAgent: 'A' }, now);
    const b = await startSession(db, key, user, { ip: '203.0.113.2', userAgent: 'B' }, now);
    expect((await resolveSession(db, key, a.token, now))?.session.id).toBe(a.sessionId);
    expect((await listLiveSessions(db, user.id, now)).map((s) => s.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(await revokeSession(db, user.id, b.sessionId, now)).toBe(true);
    expect(await revokeSession(db, user.id, b.sessionId, now)).toBe(false);
    expect(await resolveSession(db, key, b.token, now)).toBeUndefined();
    // Past its expiry (12 h) the row no longer counts, whatever the token says.
    const later = new Date(now.getTime() + 13 * 3600_000);
    expect(await resolveSession(db, key, a.token, later)).toBeUndefined();
    expect(await listLiveSessions(db, user.id, later)).toEqual([]);
    // A password set by anyone moves the version: sessions from before are over.
    const c = await startSession(db, key, user, {}, now);
    const version = await setPasswordHash(db, user.id, 'y');
    expect(await resolveSession(db, key, c.token, now)).toBeUndefined();
    expect(await listLiveSessions(db, user.id, now)).toEqual([]);
    const d = await startSession(db, key, { ...user, sessionVersion: version }, {}, now);
    const e = await startSession(db, key, { ...user, sessionVersion: version }, {}, now);
    expect(await revokeOtherSessions(db, user.id, d.sessionId, now)).toBeGreaterThanOrEqual(2);
    expect((await listLiveSessions(db, user.id, now)).map((s) => s.id)).toEqual([d.sessionId]);
    expect(await resolveSession(db, key, e.token, now)).toBeUndefined();
  });

  it('sessions ended or expired before the cut-off are swept; live ones stay', async () => {
    const long = new Date(Date.now() - 3 * 86_400_000);
    const old = await startSession(db, key, { ...user, sessionVersion: 99 }, {}, long);
    const live = await startSession(db, key, user, {}, new Date());
    await deleteOldSessions(db, new Date(Date.now() - 86_400_000));
    const ids = (await db.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [user.id])).rows.map((r) => r.id);
    expect(ids).toContain(live.sessionId);
    expect(ids).not.toContain(old.sessionId);
  });
});
