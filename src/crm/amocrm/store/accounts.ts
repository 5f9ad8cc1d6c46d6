import type { Queryable } from '../../../store/db.js';
import type { Platform } from '../config.js';

/**
 * `amo_accounts`: one row per connected amoCRM / Kommo account. Tokens and the DP key are stored
 * sealed; this module never sees them in clear (the adapter's sealer does). Rows stay here; the
 * rest of the adapter works with `AccountRecord`.
 */
export interface AccountRecord {
  tenantId: string;
  platform: Platform;
  accountId: number;
  clientId: string;
  host: string;
  baseUrl: string;
  subdomain: string;
  name: string;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date | null;
  refreshedAt: Date | null;
  tokenUserId: number | null;
  tokenVersion: number;
  dpKeyEnc: string;
  settings: Record<string, unknown>;
  installedAt: Date | null;
  uninstalledAt: Date | null;
}

interface Row {
  tenant_id: string;
  platform: Platform;
  account_id: string;
  client_id: string;
  host: string;
  base_url: string;
  subdomain: string;
  name: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Date | null;
  refreshed_at: Date | null;
  token_user_id: string | null;
  token_version: number;
  dp_key_enc: string;
  settings: Record<string, unknown>;
  installed_at: Date | null;
  uninstalled_at: Date | null;
}

const toAccount = (r: Row): AccountRecord => ({
  tenantId: r.tenant_id,
  platform: r.platform,
  accountId: Number(r.account_id),
  clientId: r.client_id,
  host: r.host,
  baseUrl: r.base_url,
  subdomain: r.subdomain,
  name: r.name,
  accessTokenEnc: r.access_token_enc,
  refreshTokenEnc: r.refresh_token_enc,
  accessExpiresAt: r.access_expires_at,
  refreshedAt: r.refreshed_at,
  tokenUserId: r.token_user_id === null ? null : Number(r.token_user_id),
  tokenVersion: r.token_version,
  dpKeyEnc: r.dp_key_enc,
  settings: r.settings,
  installedAt: r.installed_at,
  uninstalledAt: r.uninstalled_at,
});

export async function findAccount(db: Queryable, tenantId: string): Promise<AccountRecord | undefined> {
  const r = await db.query<Row>('SELECT * FROM amo_accounts WHERE tenant_id = $1', [tenantId]);
  return r.rows[0] && toAccount(r.rows[0]);
}

export async function findAccountByAmoId(db: Queryable, platform: Platform, accountId: number): Promise<AccountRecord | undefined> {
  const r = await db.query<Row>('SELECT * FROM amo_accounts WHERE platform = $1 AND account_id = $2', [platform, accountId]);
  return r.rows[0] && toAccount(r.rows[0]);
}

/** The account with its tenant's state in one read (the write-back's hot path). */
export async function findAccountWithTenant(db: Queryable, tenantId: string): Promise<{ account: AccountRecord; status: string; locale: 'ru' | 'en' } | undefined> {
  const r = await db.query<Row & { tenant_status: string; tenant_locale: 'ru' | 'en' }>(
    'SELECT a.*, t.status AS tenant_status, t.locale AS tenant_locale FROM amo_accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.tenant_id = $1',
    [tenantId],
  );
  const row = r.rows[0];
  return row && { account: toAccount(row), status: row.tenant_status, locale: row.tenant_locale };
}

/** Every account (amoCRM and Kommo) with this numeric id: at most one per platform. */
export async function findAccountsByAmoId(db: Queryable, accountId: number): Promise<AccountRecord[]> {
  const r = await db.query<Row>('SELECT * FROM amo_accounts WHERE account_id = $1 ORDER BY platform', [accountId]);
  return r.rows.map(toAccount);
}

export interface SealedPair {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessExpiresAt: Date;
}

/**
 * Creates the account row or refreshes it on a reinstall / reconnect: new host, tokens, token
 * version, "not uninstalled" again. The DP key and the settings survive a reinstall.
 */
export async function upsertAccount(
  db: Queryable,
  a: { tenantId: string; platform: Platform; accountId: number; clientId: string; host: string; baseUrl: string; subdomain: string; name: string; tokens: SealedPair; tokenUserId: number | null; dpKeyEnc: string; now: Date },
): Promise<AccountRecord> {
  const r = await db.query<Row>(
    `INSERT INTO amo_accounts (tenant_id, platform, account_id, client_id, host, base_url, subdomain, name, access_token_enc, refresh_token_enc,
        access_expires_at, refreshed_at, token_user_id, dp_key_enc, installed_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12, $12, $12)
     ON CONFLICT (tenant_id) DO UPDATE SET
       client_id = EXCLUDED.client_id, host = EXCLUDED.host, base_url = EXCLUDED.base_url, subdomain = EXCLUDED.subdomain, name = EXCLUDED.name,
       access_token_enc = EXCLUDED.access_token_enc, refresh_token_enc = EXCLUDED.refresh_token_enc, access_expires_at = EXCLUDED.access_expires_at,
       refreshed_at = EXCLUDED.refreshed_at, token_user_id = EXCLUDED.token_user_id, token_version = amo_accounts.token_version + 1,
       refresh_lease_by = NULL, refresh_lease_until = NULL, installed_at = COALESCE(amo_accounts.installed_at, EXCLUDED.installed_at),
       uninstalled_at = NULL, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [a.tenantId, a.platform, a.accountId, a.clientId, a.host, a.baseUrl, a.subdomain, a.name, a.tokens.accessTokenEnc, a.tokens.refreshTokenEnc, a.tokens.accessExpiresAt, a.now, a.tokenUserId, a.dpKeyEnc],
  );
  await db.query('INSERT INTO amo_pacing (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING', [a.tenantId]);
  return toAccount(r.rows[0]!);
}

/** Swaps in a refreshed pair only if the version is still the one the refresher saw (compare-and-swap). */
export async function swapTokens(db: Queryable, tenantId: string, expectedVersion: number, t: SealedPair, now: Date): Promise<boolean> {
  const r = await db.query(
    `UPDATE amo_accounts SET access_token_enc = $3, refresh_token_enc = $4, access_expires_at = $5, refreshed_at = $6,
       token_version = token_version + 1, refresh_lease_by = NULL, refresh_lease_until = NULL, updated_at = $6
     WHERE tenant_id = $1 AND token_version = $2`,
    [tenantId, expectedVersion, t.accessTokenEnc, t.refreshTokenEnc, t.accessExpiresAt, now],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function takeRefreshLease(db: Queryable, tenantId: string, version: number, worker: string, now: Date, leaseMs: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE amo_accounts SET refresh_lease_by = $3, refresh_lease_until = $4::timestamptz + ($5 || ' milliseconds')::interval
     WHERE tenant_id = $1 AND token_version = $2 AND refresh_token_enc IS NOT NULL AND (refresh_lease_until IS NULL OR refresh_lease_until < $4)`,
    [tenantId, version, worker, now, String(leaseMs)],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function releaseRefreshLease(db: Queryable, tenantId: string, worker: string): Promise<void> {
  await db.query('UPDATE amo_accounts SET refresh_lease_by = NULL, refresh_lease_until = NULL WHERE tenant_id = $1 AND refresh_lease_by = $2', [tenantId, worker]);
}

/** The account was renamed (a signed widget token names its new host): follow it. */
export async function moveAccountHost(db: Queryable, tenantId: string, host: string, baseUrl: string, subdomain: string): Promise<void> {
  await db.query('UPDATE amo_accounts SET host = $2, base_url = $3, subdomain = $4, updated_at = now() WHERE tenant_id = $1 AND host <> $2', [tenantId, host, baseUrl, subdomain]);
}

export async function setAccountSettings(db: Queryable, tenantId: string, settings: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE amo_accounts SET settings = $2, updated_at = now() WHERE tenant_id = $1', [tenantId, JSON.stringify(settings)]);
}

/** Uninstall: every credential is erased; the DP key stays (a reinstall keeps the triggers working). */
export async function eraseAccountTokens(db: Queryable, tenantId: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE amo_accounts SET access_token_enc = NULL, refresh_token_enc = NULL, access_expires_at = NULL, token_version = token_version + 1,
       refresh_lease_by = NULL, refresh_lease_until = NULL, uninstalled_at = $2, updated_at = $2
     WHERE tenant_id = $1`,
    [tenantId, now],
  );
}

/** Installed accounts whose refresh token was issued before `before` (the keep-alive's work). */
export async function accountsToKeepAlive(db: Queryable, before: Date, limit: number): Promise<AccountRecord[]> {
  const r = await db.query<Row>(
    `SELECT a.* FROM amo_accounts a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.refresh_token_enc IS NOT NULL AND t.status = 'active' AND (a.refreshed_at IS NULL OR a.refreshed_at < $1)
     ORDER BY a.refreshed_at NULLS FIRST LIMIT $2`,
    [before, limit],
  );
  return r.rows.map(toAccount);
}
