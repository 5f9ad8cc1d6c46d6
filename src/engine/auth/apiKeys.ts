import { z } from 'zod';
import { hmacHex, randomToken, safeEqual } from '../../core/crypto.js';
import { notFound } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import type { Principal } from './principal.js';
import { newId } from '../../store/ids.js';

/**
 * Calls API keys (J8), per tenant: `dzv_<prefix>_<secret>`. Only an HMAC of the secret is stored;
 * the key is shown once. Lookup by prefix, comparison in constant time.
 */
export const apiKeyInputSchema = z.object({ name: z.string().trim().min(1).max(80), role: z.enum(['admin', 'manager']).default('manager') }).strict();

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  role: 'admin' | 'manager';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const hashOf = (app: AppContext, secret: string) => hmacHex(app.keys.apiKey, secret);

export async function createApiKey(app: AppContext, tenantId: string, userId: string | null, input: unknown): Promise<ApiKeyInfo & { key: string }> {
  const v = parseInput(apiKeyInputSchema, input);
  const prefix = randomToken(6).replace(/[^A-Za-z0-9]/g, 'x');
  const secret = randomToken(24);
  const r = await app.db.query<{ id: string; created_at: Date }>(
    `INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, role, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
    [newId(), tenantId, v.name, prefix, hashOf(app, secret), v.role, userId],
  );
  const row = r.rows[0]!;
  return { id: row.id, name: v.name, prefix, role: v.role, createdAt: row.created_at.toISOString(), lastUsedAt: null, revokedAt: null, key: `dzv_${prefix}_${secret}` };
}

export async function listApiKeys(app: AppContext, tenantId: string): Promise<ApiKeyInfo[]> {
  const r = await app.db.query<{ id: string; name: string; prefix: string; role: 'admin' | 'manager'; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
    'SELECT id, name, prefix, role, created_at, last_used_at, revoked_at FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC',
    [tenantId],
  );
  return r.rows.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    createdAt: k.created_at.toISOString(),
    lastUsedAt: k.last_used_at?.toISOString() ?? null,
    revokedAt: k.revoked_at?.toISOString() ?? null,
  }));
}

export async function revokeApiKey(app: AppContext, tenantId: string, id: string): Promise<void> {
  const r = await app.db.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, id]);
  if ((r.rowCount ?? 0) === 0) throw notFound('api_key', id);
}

export async function resolveApiKey(app: AppContext, key: string): Promise<Principal | undefined> {
  const m = /^dzv_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32})$/.exec(key.trim());
  if (!m) return undefined;
  const r = await app.db.query<{ id: string; tenant_id: string; role: 'admin' | 'manager'; secret_hash: string }>(
    'SELECT id, tenant_id, role, secret_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL',
    [m[1]],
  );
  const row = r.rows[0];
  // Hash and compare even when the prefix is unknown, so timing says nothing about which keys exist.
  const ok = safeEqual(hashOf(app, m[2]!), row?.secret_hash ?? '0'.repeat(64));
  if (!row || !ok) return undefined;
  await app.db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval \'1 minute\')', [row.id]);
  return { kind: 'apiKey', keyId: row.id, tenantId: row.tenant_id, role: row.role };
}
