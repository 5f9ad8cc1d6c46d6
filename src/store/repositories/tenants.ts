import type { Queryable } from '../db.js';
import { newId } from '../ids.js';

export type TenantKind = 'console' | 'bitrix24' | 'amocrm';

export interface Tenant {
  id: string;
  kind: TenantKind;
  externalId: string;
  name: string;
  locale: 'ru' | 'en';
  timezone: string;
  settings: Record<string, unknown>;
  status: string;
  statusReason: string | null;
  createdAt: Date;
}

interface TenantRow {
  id: string;
  kind: TenantKind;
  external_id: string;
  name: string;
  locale: 'ru' | 'en';
  timezone: string;
  settings: Record<string, unknown>;
  status: string;
  status_reason: string | null;
  created_at: Date;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  kind: r.kind,
  externalId: r.external_id,
  name: r.name,
  locale: r.locale,
  timezone: r.timezone,
  settings: r.settings,
  status: r.status,
  statusReason: r.status_reason,
  createdAt: r.created_at,
});

export async function findTenant(db: Queryable, id: string): Promise<Tenant | undefined> {
  const r = await db.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
  return r.rows[0] && toTenant(r.rows[0]);
}

export async function findTenantByExternalId(db: Queryable, kind: TenantKind, externalId: string): Promise<Tenant | undefined> {
  const r = await db.query<TenantRow>('SELECT * FROM tenants WHERE kind = $1 AND external_id = $2', [kind, externalId]);
  return r.rows[0] && toTenant(r.rows[0]);
}

/** Creates the tenant or returns the existing one (re-install, two processes starting at once). */
export async function upsertTenant(
  db: Queryable,
  t: { kind: TenantKind; externalId: string; name: string; locale?: 'ru' | 'en'; timezone?: string },
): Promise<{ tenant: Tenant; created: boolean }> {
  const r = await db.query<TenantRow & { inserted: boolean }>(
    `INSERT INTO tenants (id, kind, external_id, name, locale, timezone)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (kind, external_id) DO UPDATE SET updated_at = tenants.updated_at
     RETURNING *, (xmax = 0) AS inserted`,
    [newId(), t.kind, t.externalId, t.name, t.locale ?? 'en', t.timezone ?? 'Europe/Moscow'],
  );
  const row = r.rows[0]!;
  return { tenant: toTenant(row), created: row.inserted };
}

export async function updateTenant(
  db: Queryable,
  id: string,
  patch: Partial<Pick<Tenant, 'name' | 'locale' | 'timezone' | 'status' | 'statusReason' | 'settings'>>,
): Promise<void> {
  await db.query(
    `UPDATE tenants SET
       name = COALESCE($2, name), locale = COALESCE($3, locale), timezone = COALESCE($4, timezone),
       status = COALESCE($5, status), status_reason = CASE WHEN $6::boolean THEN $7 ELSE status_reason END,
       settings = COALESCE($8::jsonb, settings), updated_at = now()
     WHERE id = $1`,
    [
      id,
      patch.name ?? null,
      patch.locale ?? null,
      patch.timezone ?? null,
      patch.status ?? null,
      'statusReason' in patch,
      patch.statusReason ?? null,
      patch.settings ? JSON.stringify(patch.settings) : null,
    ],
  );
}
