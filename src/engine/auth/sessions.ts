import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { hmacSecretKey } from '../../core/crypto.js';
import type { Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import {
  findSessionWithUser,
  insertSession,
  listLiveSessions,
  revokeOtherSessions,
  revokeSession,
  touchSession,
  type Session,
} from '../../store/repositories/sessions.js';
import type { User } from '../../store/repositories/users.js';

/**
 * Console sessions are signed JWTs (HS256, 12 h) sent as `Authorization: Bearer`. Each names its
 * session row (`jti`): a session is valid while the signature and expiry hold, its row is not
 * ended, and the user's session version is still the one it began with (a password change or a
 * disabled account ends every session issued before it).
 *
 * Times here are wall-clock (the token's own `iat`/`exp`), not the app's injectable clock: expiry
 * is a security property, and the JWT library checks it against the real time anyway.
 */
const claimsSchema = z.object({ sub: z.uuid(), ten: z.uuid(), ver: z.number().int(), role: z.enum(['admin', 'manager']), jti: z.uuid() });
export type SessionClaims = z.infer<typeof claimsSchema>;

const ISSUER = 'dozvon';
const AUDIENCE = 'dozvon-console';
export const SESSION_TTL_SEC = 12 * 3600;
/** last_seen_at is written at most this often per session (not on every request). */
const TOUCH_EVERY_MS = 60_000;

/** Where a session was started from, as shown in the session list. */
export interface ClientInfo {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export function issueSession(key: Buffer, claims: SessionClaims): string {
  const { jti, ...rest } = claims;
  return jwt.sign(rest, hmacSecretKey(key), { algorithm: 'HS256', expiresIn: SESSION_TTL_SEC, issuer: ISSUER, audience: AUDIENCE, jwtid: jti });
}

export function readSession(key: Buffer, token: string): SessionClaims | undefined {
  try {
    const payload = jwt.verify(token, hmacSecretKey(key), { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    const r = claimsSchema.safeParse(payload);
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a session for the user: its row, then the token naming it. */
export async function startSession(db: Queryable, key: Buffer, user: User, client: ClientInfo = {}, now = new Date()): Promise<{ token: string; sessionId: string }> {
  const id = newId();
  await insertSession(db, {
    id,
    tenantId: user.tenantId,
    userId: user.id,
    userVersion: user.sessionVersion,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_TTL_SEC * 1000),
    userAgent: client.userAgent?.slice(0, 300) || null,
    ip: client.ip ?? null,
  });
  const token = issueSession(key, { sub: user.id, ten: user.tenantId, ver: user.sessionVersion, role: user.role, jti: id });
  return { token, sessionId: id };
}

/** A live session this close to its end is not resumed: a fresh one is started instead. */
const RESUME_MIN_LEFT_MS = 3600_000;

/**
 * For the console opened inside a CRM (the Bitrix24 app page, the amoCRM advanced settings page),
 * where every opening signs the user in anew: the user's live session from the same browser (same
 * user agent) is resumed — a new token for the same session row — rather than a row started per
 * opening, so the profile's session list shows one entry per browser and ending it ends them all.
 * A session with less than an hour left is not resumed (a fresh one starts), and one ended on the
 * profile or by sign-out is never resumed.
 */
export async function resumeOrStartSession(db: Queryable, key: Buffer, user: User, client: ClientInfo = {}, now = new Date()): Promise<{ token: string; sessionId: string; resumed: boolean }> {
  const agent = client.userAgent?.slice(0, 300) || null;
  const live = (await listLiveSessions(db, user.id, now)).find((s) => s.userAgent === agent && s.userVersion === user.sessionVersion && s.expiresAt.getTime() - now.getTime() > RESUME_MIN_LEFT_MS);
  if (!live) return { ...(await startSession(db, key, user, client, now)), resumed: false };
  await touchSession(db, live.id, now);
  const token = issueSession(key, { sub: user.id, ten: user.tenantId, ver: user.sessionVersion, role: user.role, jti: live.id });
  return { token, sessionId: live.id, resumed: true };
}

/** The user and session a bearer token stands for, or undefined when it does not (any more). */
export async function resolveSession(db: Queryable, key: Buffer, token: string, now = new Date()): Promise<{ user: User; session: Session } | undefined> {
  const claims = readSession(key, token);
  if (!claims) return undefined;
  const found = await findSessionWithUser(db, claims.jti);
  if (!found) return undefined;
  const { user, session } = found;
  const valid =
    session.revokedAt === null &&
    session.expiresAt > now &&
    !user.disabled &&
    user.id === claims.sub &&
    user.tenantId === claims.ten &&
    user.sessionVersion === claims.ver &&
    session.userVersion === user.sessionVersion;
  if (!valid) return undefined;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touchSession(db, session.id, now);
  return found;
}

export const endSession = (db: Queryable, userId: string, sessionId: string, now = new Date()) => revokeSession(db, userId, sessionId, now);
export const endOtherSessions = (db: Queryable, userId: string, keep: string | null, now = new Date()) => revokeOtherSessions(db, userId, keep, now);
export const liveSessions = (db: Queryable, userId: string, now = new Date()) => listLiveSessions(db, userId, now);
