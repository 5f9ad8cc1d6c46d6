import crypto from 'node:crypto';
import type { Queryable } from '../../../store/db.js';

/**
 * `amo_console_codes`: the one-time codes that let the widget's advanced settings page open the web
 * console (src/http/amocrm/consolePage.ts). The widget asks for a code with amoCRM's one-time JWT
 * and puts it into its frame's address; the page spends it once, within a minute, for a console
 * session. A code in an address may end up in logs: only its hash is kept, and once spent or
 * expired it opens nothing. The long-lived session token itself never travels in an address.
 */
export const CONSOLE_CODE_TTL_MS = 60_000;

export interface ConsoleGrant {
  tenantId: string;
  amoUserId: number;
  name: string;
  isAdmin: boolean;
  locale: 'ru' | 'en';
}

const hash = (code: string) => crypto.createHash('sha256').update(code, 'utf8').digest('base64url');

/** A fresh code for this user of this tenant, valid for a minute. */
export async function issueConsoleCode(db: Queryable, g: ConsoleGrant, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const code = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + CONSOLE_CODE_TTL_MS);
  await db.query(
    'INSERT INTO amo_console_codes (code_hash, tenant_id, amo_user_id, user_name, is_admin, locale, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [hash(code), g.tenantId, g.amoUserId, g.name, g.isAdmin, g.locale, expiresAt],
  );
  return { code, expiresAt };
}

/** Spends a code: what it grants, or undefined when it is unknown, already spent or expired. */
export async function spendConsoleCode(db: Queryable, code: string, now: Date): Promise<ConsoleGrant | undefined> {
  if (!/^[\w-]{40,60}$/.test(code)) return undefined;
  // Deleted whether or not it is still valid: a code is looked at once.
  const r = await db.query<{ tenant_id: string; amo_user_id: string; user_name: string; is_admin: boolean; locale: 'ru' | 'en'; expires_at: Date }>(
    'DELETE FROM amo_console_codes WHERE code_hash = $1 RETURNING tenant_id, amo_user_id, user_name, is_admin, locale, expires_at',
    [hash(code)],
  );
  const row = r.rows[0];
  if (!row || new Date(row.expires_at).getTime() <= now.getTime()) return undefined;
  return { tenantId: row.tenant_id, amoUserId: Number(row.amo_user_id), name: row.user_name, isAdmin: row.is_admin, locale: row.locale };
}
