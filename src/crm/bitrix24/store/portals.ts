import type { Queryable } from '../../../store/db.js';
import type { Locale } from '../../../i18n.js';

/**
 * `b24_portals`: one row per installed portal. Tokens are stored sealed (AES-GCM with
 * `app.keys.tokenEncryption`); this module never sees them in clear — the token store seals and
 * opens them. Rows stay here; the rest of the adapter works with `PortalRecord`.
 */
export interface PortalRecord {
  tenantId: string;
  memberId: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  applicationTokenEnc: string | null;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date | null;
  /** The stored access token's lifetime when issued, seconds (null for rows from before it was kept). */
  accessLifetimeSec: number | null;
  tokenUserId: number | null;
  scope: string;
  tokenVersion: number;
  ratePerSec: number;
  burst: number;
  userFields: PortalUserFields;
  installedAt: Date | null;
  uninstalledAt: Date | null;
  /** A confirmed uninstall with data[CLEAN]=1 erases the portal's data then (unless reinstalled). */
  purgeAfter: Date | null;
}

/** Ids of the user fields created at install, per CRM entity, with enumeration item ids by XML_ID. */
export type PortalUserFields = Partial<Record<'deal' | 'lead', Record<string, { id: number; items?: Record<string, number> }>>>;

interface PortalRow {
  tenant_id: string;
  member_id: string;
  domain: string;
  client_endpoint: string;
  server_endpoint: string;
  application_token_enc: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Date | null;
  access_lifetime_sec: number | null;
  token_user_id: number | null;
  scope: string;
  token_version: number;
  rate_per_sec: string;
  burst: number;
  user_fields: PortalUserFields;
  installed_at: Date | null;
  uninstalled_at: Date | null;
  purge_after: Date | null;
}

const toPortal = (r: PortalRow): PortalRecord => ({
  tenantId: r.tenant_id,
  memberId: r.member_id,
  domain: r.domain,
  clientEndpoint: r.client_endpoint,
  serverEndpoint: r.server_endpoint,
  applicationTokenEnc: r.application_token_enc,
  accessTokenEnc: r.access_token_enc,
  refreshTokenEnc: r.refresh_token_enc,
  accessExpiresAt: r.access_expires_at,
  accessLifetimeSec: r.access_lifetime_sec,
  tokenUserId: r.token_user_id,
  scope: r.scope,
  tokenVersion: r.token_version,
  ratePerSec: Number(r.rate_per_sec),
  burst: r.burst,
  userFields: r.user_fields,
  installedAt: r.installed_at,
  uninstalledAt: r.uninstalled_at,
  purgeAfter: r.purge_after,
});

export async function findPortalByMember(db: Queryable, memberId: string): Promise<PortalRecord | undefined> {
  const r = await db.query<PortalRow>('SELECT * FROM b24_portals WHERE member_id = $1', [memberId]);
  return r.rows[0] && toPortal(r.rows[0]);
}

export async function findPortal(db: Queryable, tenantId: string): Promise<PortalRecord | undefined> {
  const r = await db.query<PortalRow>('SELECT * FROM b24_portals WHERE tenant_id = $1', [tenantId]);
  return r.rows[0] && toPortal(r.rows[0]);
}

/**
 * The portal and its tenant's language while the app is installed there (the portal holds tokens);
 * undefined otherwise. One statement: every Bitrix24 outbox job starts with it.
 */
export async function findInstalledPortal(db: Queryable, tenantId: string): Promise<{ portal: PortalRecord; locale: Locale } | undefined> {
  const r = await db.query<PortalRow & { tenant_locale: Locale }>(
    `SELECT p.*, t.locale AS tenant_locale FROM b24_portals p JOIN tenants t ON t.id = p.tenant_id
     WHERE p.tenant_id = $1 AND p.access_token_enc <> ''`,
    [tenantId],
  );
  const row = r.rows[0];
  return row && { portal: toPortal(row), locale: row.tenant_locale };
}

export interface SealedTokens {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessExpiresAt: Date;
  accessLifetimeSec: number;
  tokenUserId: number;
  scope: string;
}

/**
 * Creates the portal row or refreshes it on a re-install: new endpoints and token pair, a new
 * token version, and "not uninstalled" again. The application token is replaced only when the
 * caller has one (ONAPPINSTALL); the install page has none. User-field ids and the rate settings
 * survive.
 */
export async function upsertPortal(
  db: Queryable,
  p: { tenantId: string; memberId: string; domain: string; clientEndpoint: string; serverEndpoint: string; applicationTokenEnc: string | null; tokens: SealedTokens; now: Date },
): Promise<PortalRecord> {
  const r = await db.query<PortalRow>(
    `INSERT INTO b24_portals (tenant_id, member_id, domain, client_endpoint, server_endpoint, application_token_enc,
        access_token_enc, refresh_token_enc, access_expires_at, token_user_id, scope, created_at, updated_at, access_lifetime_sec)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
     ON CONFLICT (tenant_id) DO UPDATE SET
       domain = EXCLUDED.domain, client_endpoint = EXCLUDED.client_endpoint, server_endpoint = EXCLUDED.server_endpoint,
       application_token_enc = COALESCE(EXCLUDED.application_token_enc, b24_portals.application_token_enc), access_token_enc = EXCLUDED.access_token_enc,
       refresh_token_enc = EXCLUDED.refresh_token_enc, access_expires_at = EXCLUDED.access_expires_at,
       access_lifetime_sec = EXCLUDED.access_lifetime_sec, token_user_id = EXCLUDED.token_user_id, scope = EXCLUDED.scope, token_version = b24_portals.token_version + 1,
       refresh_lease_by = NULL, refresh_lease_until = NULL, uninstalled_at = NULL, purge_after = NULL, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [
      p.tenantId,
      p.memberId,
      p.domain,
      p.clientEndpoint,
      p.serverEndpoint,
      p.applicationTokenEnc,
      p.tokens.accessTokenEnc,
      p.tokens.refreshTokenEnc,
      p.tokens.accessExpiresAt,
      p.tokens.tokenUserId,
      p.tokens.scope,
      p.now,
      p.tokens.accessLifetimeSec,
    ],
  );
  await db.query('INSERT INTO b24_portal_pacing (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING', [p.tenantId]);
  return toPortal(r.rows[0]!);
}

/** Swaps in a new token pair only if the version is still the one the caller read (compare-and-swap). */
export async function swapTokens(db: Queryable, tenantId: string, expectedVersion: number, t: SealedTokens & { clientEndpoint?: string }): Promise<boolean> {
  const r = await db.query(
    `UPDATE b24_portals SET access_token_enc = $3, refresh_token_enc = $4, access_expires_at = $5, token_user_id = $6, scope = $7,
       client_endpoint = COALESCE($8, client_endpoint), access_lifetime_sec = $9, token_version = token_version + 1,
       refresh_lease_by = NULL, refresh_lease_until = NULL, updated_at = now()
     WHERE tenant_id = $1 AND token_version = $2`,
    [tenantId, expectedVersion, t.accessTokenEnc, t.refreshTokenEnc, t.accessExpiresAt, t.tokenUserId, t.scope, t.clientEndpoint ?? null, t.accessLifetimeSec],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Takes the refresh lease for `version` (nobody else holds a live one); false when someone does or the version moved on. */
export async function takeRefreshLease(db: Queryable, tenantId: string, version: number, worker: string, now: Date, leaseMs: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE b24_portals SET refresh_lease_by = $3, refresh_lease_until = $4::timestamptz + ($5 || ' milliseconds')::interval
     WHERE tenant_id = $1 AND token_version = $2 AND (refresh_lease_until IS NULL OR refresh_lease_until < $4)`,
    [tenantId, version, worker, now, String(leaseMs)],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function releaseRefreshLease(db: Queryable, tenantId: string, worker: string): Promise<void> {
  await db.query('UPDATE b24_portals SET refresh_lease_by = NULL, refresh_lease_until = NULL WHERE tenant_id = $1 AND refresh_lease_by = $2', [tenantId, worker]);
}

export async function setApplicationToken(db: Queryable, tenantId: string, applicationTokenEnc: string): Promise<void> {
  await db.query('UPDATE b24_portals SET application_token_enc = $2, updated_at = now() WHERE tenant_id = $1', [tenantId, applicationTokenEnc]);
}

export async function markPortalInstalled(db: Queryable, tenantId: string, now: Date): Promise<void> {
  await db.query('UPDATE b24_portals SET installed_at = COALESCE(installed_at, $2), updated_at = $2 WHERE tenant_id = $1', [tenantId, now]);
}

export async function setPortalUserFields(db: Queryable, tenantId: string, fields: PortalUserFields): Promise<void> {
  await db.query('UPDATE b24_portals SET user_fields = $2, updated_at = now() WHERE tenant_id = $1', [tenantId, JSON.stringify(fields)]);
}

export async function setPortalRateLimit(db: Queryable, tenantId: string, ratePerSec: number, burst: number): Promise<void> {
  await db.query('UPDATE b24_portals SET rate_per_sec = $2, burst = $3, updated_at = now() WHERE tenant_id = $1', [tenantId, ratePerSec, burst]);
}

/**
 * A confirmed uninstall: every credential is erased (the application token too: nothing from the
 * old install is accepted again), and with data[CLEAN]=1 the moment the data goes is set.
 */
export async function erasePortalCredentials(db: Queryable, tenantId: string, now: Date, purgeAfter: Date | null): Promise<void> {
  await db.query(
    `UPDATE b24_portals SET access_token_enc = NULL, refresh_token_enc = NULL, application_token_enc = NULL, access_expires_at = NULL,
       token_version = token_version + 1, refresh_lease_by = NULL, refresh_lease_until = NULL,
       installed_at = NULL, uninstalled_at = $2, purge_after = $3, updated_at = $2
     WHERE tenant_id = $1`,
    [tenantId, now, purgeAfter],
  );
}
