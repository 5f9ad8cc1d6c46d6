import type { Queryable } from '../db.js';
import { newId } from '../ids.js';

export type Role = 'admin' | 'manager';

export interface User {
  id: string;
  tenantId: string;
  /** Null for a CRM user's shadow account (signed in by the CRM, see `externalId`). */
  email: string | null;
  name: string;
  role: Role;
  locale: 'ru' | 'en';
  disabled: boolean;
  sessionVersion: number;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** The CRM's own user id of a shadow account ('bitrix24:17', 'amocrm:4242'); null for console users. */
  externalId: string | null;
}

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string | null;
  name: string;
  password_hash: string | null;
  role: Role;
  locale: 'ru' | 'en';
  disabled: boolean;
  session_version: number;
  created_at: Date;
  last_login_at: Date | null;
  external_id: string | null;
}

export const toUser = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  name: r.name,
  role: r.role,
  locale: r.locale,
  disabled: r.disabled,
  sessionVersion: r.session_version,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  externalId: r.external_id,
});

export async function countUsers(db: Queryable): Promise<number> {
  const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(r.rows[0]?.n ?? 0);
}

export async function findUser(db: Queryable, id: string): Promise<User | undefined> {
  const r = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return r.rows[0] && toUser(r.rows[0]);
}

export async function findUserWithHashByEmail(db: Queryable, email: string): Promise<(User & { passwordHash: string | null }) | undefined> {
  const r = await db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
  const row = r.rows[0];
  return row && { ...toUser(row), passwordHash: row.password_hash };
}

export async function listUsers(db: Queryable, tenantId: string): Promise<User[]> {
  const r = await db.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at', [tenantId]);
  return r.rows.map(toUser);
}

export async function insertUser(
  db: Queryable,
  u: { tenantId: string; email: string; name: string; passwordHash: string; role: Role; locale: 'ru' | 'en' },
): Promise<User> {
  const r = await db.query<UserRow>(
    `INSERT INTO users (id, tenant_id, email, name, password_hash, role, locale)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [newId(), u.tenantId, u.email, u.name, u.passwordHash, u.role, u.locale],
  );
  return toUser(r.rows[0]!);
}

export async function updateUser(
  db: Queryable,
  tenantId: string,
  id: string,
  patch: { name?: string; role?: Role; locale?: 'ru' | 'en'; disabled?: boolean; passwordHash?: string },
): Promise<User | undefined> {
  const bump = patch.passwordHash !== undefined || patch.disabled === true || patch.role !== undefined;
  const r = await db.query<UserRow>(
    `UPDATE users SET name = COALESCE($3, name), role = COALESCE($4, role), locale = COALESCE($5, locale),
       disabled = COALESCE($6, disabled), password_hash = COALESCE($7, password_hash),
       session_version = session_version + CASE WHEN $8 THEN 1 ELSE 0 END
     WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, id, patch.name ?? null, patch.role ?? null, patch.locale ?? null, patch.disabled ?? null, patch.passwordHash ?? null, bump],
  );
  return r.rows[0] && toUser(r.rows[0]);
}

/** Sets a new password hash and bumps the session version (sessions begun before stop working); the new version. */
export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<number> {
  const r = await db.query<{ session_version: number }>(
    'UPDATE users SET password_hash = $2, session_version = session_version + 1 WHERE id = $1 RETURNING session_version',
    [id, passwordHash],
  );
  return r.rows[0]!.session_version;
}

export async function findPasswordHash(db: Queryable, id: string): Promise<string | undefined> {
  const r = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [id]);
  return r.rows[0]?.password_hash;
}

export async function touchLogin(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [id, at]);
}

/**
 * A CRM user's shadow account in the CRM's tenant, created on first entry and kept in step with the
 * CRM (name, admin or not) on every entry after. The language is the user's own once they chose it.
 */
export async function upsertExternalUser(
  db: Queryable,
  u: { tenantId: string; externalId: string; name: string; role: Role; locale: 'ru' | 'en' },
): Promise<User> {
  const r = await db.query<UserRow>(
    `INSERT INTO users (id, tenant_id, external_id, email, name, password_hash, role, locale)
     VALUES ($1, $2, $3, NULL, $4, NULL, $5, $6)
     ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
       name = EXCLUDED.name, role = EXCLUDED.role,
       session_version = users.session_version + CASE WHEN users.role <> EXCLUDED.role THEN 1 ELSE 0 END
     RETURNING *`,
    [newId(), u.tenantId, u.externalId, u.name, u.role, u.locale],
  );
  return toUser(r.rows[0]!);
}
