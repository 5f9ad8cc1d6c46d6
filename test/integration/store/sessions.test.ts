import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSession, resumeOrStartSession, startSession } from '../../../src/engine/auth/sessions.js';
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

  it('the console opened again in a CRM from the same browser resumes its session instead of starting one per opening', async () => {
    const crmUser = await insertUser(db, { tenantId: user.tenantId, email: `crm-${crypto.randomUUID()}@example.com`, name: 'CRM user', passwordHash: 'x', role: 'manager', locale: 'en' });
    const now = new Date();
    const first = await resumeOrStartSession(db, key, crmUser, { userAgent: 'Browser A' }, now);
    const again = await resumeOrStartSession(db, key, crmUser, { userAgent: 'Browser A' }, new Date(now.getTime() + 60_000));
    expect(first.resumed).toBe(false);
    expect(again).toMatchObject({ resumed: true, sessionId: first.sessionId });
    // Both tokens stand for the one session.
    expect((await resolveSession(db, key, again.token, now))?.session.id).toBe(first.sessionId);
    expect((await resolveSession(db, key, first.token, now))?.session.id).toBe(first.sessionId);
    // Another browser gets its own.
    const other = await resumeOrStartSession(db, key, crmUser, { userAgent: 'Browser B' }, now);
    expect(other.sessionId).not.toBe(first.sessionId);
    expect(await listLiveSessions(db, crmUser.id, now)).toHaveLength(2);
    // Within its last hour a session is not resumed: a fresh one starts.
    const late = new Date(now.getTime() + 11.5 * 3600_000);
    const fresh = await resumeOrStartSession(db, key, crmUser, { userAgent: 'Browser A' }, late);
    expect(fresh.resumed).toBe(false);
    expect(fresh.sessionId).not.toBe(first.sessionId);
    // Ended on the profile: never resumed; every token of it is refused.
    expect(await revokeSession(db, crmUser.id, fresh.sessionId, late)).toBe(true);
    expect(await resolveSession(db, key, fresh.token, late)).toBeUndefined();
    const after = await resumeOrStartSession(db, key, crmUser, { userAgent: 'Browser A' }, late);
    expect(after.sessionId).not.toBe(fresh.sessionId);
  });
});
