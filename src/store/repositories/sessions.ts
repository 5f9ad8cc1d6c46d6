import type { Queryable } from '../db.js';
import type { User } from './users.js';
import { toUser, type UserRow } from './users.js';

/** One console session: a row per issued token (`jti`), so each can be ended on its own. */
export interface Session {
  id: string;
  tenantId: string;
  userId: string;
  /** The user's session version when it began. */
  userVersion: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  revokedAt: Date | null;
}

interface SessionRow {
  id: string;
  tenant_id: string;
  user_id: string;
  user_version: number;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_agent: string | null;
  ip: string | null;
  revoked_at: Date | null;
}

const toSession = (r: SessionRow): Session => ({
  id: r.id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  userVersion: r.user_version,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  userAgent: r.user_agent,
  ip: r.ip,
  revokedAt: r.revoked_at,
});

export async function insertSession(
  db: Queryable,
  s: { id: string; tenantId: string; userId: string; userVersion: number; createdAt: Date; expiresAt: Date; userAgent: string | null; ip: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id, tenant_id, user_id, user_version, created_at, last_seen_at, expires_at, user_agent, ip)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)`,
    [s.id, s.tenantId, s.userId, s.userVersion, s.createdAt, s.expiresAt, s.userAgent, s.ip],
  );
}

/** A session with its user, in one round trip (every authenticated request reads it). */
export async function findSessionWithUser(db: Queryable, id: string): Promise<{ session: Session; user: User } | undefined> {
  const r = await db.query<UserRow & { s_id: string; s_tenant_id: string; s_user_version: number; s_created_at: Date; s_last_seen_at: Date; s_expires_at: Date; s_user_agent: string | null; s_ip: string | null; s_revoked_at: Date | null }>(
    `SELECT u.*, s.id AS s_id, s.tenant_id AS s_tenant_id, s.user_version AS s_user_version, s.created_at AS s_created_at,
            s.last_seen_at AS s_last_seen_at, s.expires_at AS s_expires_at, s.user_agent AS s_user_agent, s.ip AS s_ip, s.revoked_at AS s_revoked_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    user: toUser(row),
    session: toSession({
      id: row.s_id,
      tenant_id: row.s_tenant_id,
      user_id: row.id,
      user_version: row.s_user_version,
      created_at: row.s_created_at,
      last_seen_at: row.s_last_seen_at,
      expires_at: row.s_expires_at,
      user_agent: row.s_user_agent,
      ip: row.s_ip,
      revoked_at: row.s_revoked_at,
    }),
  };
}

/** Sessions of a user that still work: not ended, not expired, not from before a version bump. */
export async function listLiveSessions(db: Queryable, userId: string, now: Date): Promise<Session[]> {
  const r = await db.query<SessionRow>(
    `SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.user_version = u.session_version
      ORDER BY s.last_seen_at DESC, s.id`,
    [userId, now],
  );
  return r.rows.map(toSession);
}

/** Ends one session of the user; false when there is no such live session of theirs. */
export async function revokeSession(db: Queryable, userId: string, id: string, at: Date): Promise<boolean> {
  const r = await db.query('UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL', [userId, id, at]);
  return (r.rowCount ?? 0) > 0;
}

/** Ends every session of the user except `keep` (if given); returns how many were ended. */
export async function revokeOtherSessions(db: Queryable, userId: string, keep: string | null, at: Date): Promise<number> {
  const r = await db.query('UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)', [userId, keep, at]);
  return r.rowCount ?? 0;
}

export async function touchSession(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2', [id, at]);
}

/** Removes sessions that expired or were ended more than `keepFor` ago (the list shows none of them). */
export async function deleteOldSessions(db: Queryable, before: Date): Promise<number> {
  const r = await db.query('DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1', [before]);
  return r.rowCount ?? 0;
}
