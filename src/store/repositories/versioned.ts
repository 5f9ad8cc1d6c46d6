import type { Queryable } from '../db.js';
import { newId } from '../ids.js';

/**
 * Templates and scenarios share one shape: a head row (name, current version, soft delete) and an
 * append-only table of versions. A change writes a new version; history is never rewritten, so an
 * attempt can always show the exact template and scenario it ran.
 */
export interface VersionedSpec {
  head: 'templates' | 'scenarios';
  versions: 'template_versions' | 'scenario_versions';
  fk: 'template_id' | 'scenario_id';
  body: 'settings' | 'graph';
}

export const TEMPLATES: VersionedSpec = { head: 'templates', versions: 'template_versions', fk: 'template_id', body: 'settings' };
export const SCENARIOS: VersionedSpec = { head: 'scenarios', versions: 'scenario_versions', fk: 'scenario_id', body: 'graph' };

export interface Versioned<B> {
  id: string;
  tenantId: string;
  name: string;
  version: number;
  versionId: string;
  body: B;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  current_version: number;
  version_id: string;
  body: unknown;
  created_at: Date;
  updated_at: Date;
}

const toVersioned = <B>(r: Row): Versioned<B> => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  version: r.current_version,
  versionId: r.version_id,
  body: r.body as B,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const selectHead = (s: VersionedSpec) =>
  `SELECT h.id, h.tenant_id, h.name, h.current_version, v.id AS version_id, v.${s.body} AS body, h.created_at, h.updated_at
   FROM ${s.head} h JOIN ${s.versions} v ON v.${s.fk} = h.id AND v.version = h.current_version`;

export async function listVersioned<B>(db: Queryable, s: VersionedSpec, tenantId: string): Promise<Versioned<B>[]> {
  const r = await db.query<Row>(`${selectHead(s)} WHERE h.tenant_id = $1 AND h.deleted_at IS NULL ORDER BY h.created_at`, [tenantId]);
  return r.rows.map((row) => toVersioned<B>(row));
}

export async function findVersioned<B>(db: Queryable, s: VersionedSpec, tenantId: string, id: string): Promise<Versioned<B> | undefined> {
  const r = await db.query<Row>(`${selectHead(s)} WHERE h.tenant_id = $1 AND h.id = $2 AND h.deleted_at IS NULL`, [tenantId, id]);
  return r.rows[0] && toVersioned<B>(r.rows[0]);
}

export async function insertVersioned<B>(
  db: Queryable,
  s: VersionedSpec,
  v: { tenantId: string; name: string; body: B; createdBy: string | null },
): Promise<Versioned<B>> {
  const id = newId();
  await db.query(`INSERT INTO ${s.head} (id, tenant_id, name, current_version) VALUES ($1, $2, $3, 1)`, [id, v.tenantId, v.name]);
  await db.query(
    `INSERT INTO ${s.versions} (id, ${s.fk}, tenant_id, version, ${s.body}, created_by) VALUES ($1, $2, $3, 1, $4, $5)`,
    [newId(), id, v.tenantId, JSON.stringify(v.body), v.createdBy],
  );
  return (await findVersioned<B>(db, s, v.tenantId, id))!;
}

/** Appends a version; `expectedVersion` (optimistic lock) refuses a save based on a stale copy. */
export async function appendVersion<B>(
  db: Queryable,
  s: VersionedSpec,
  v: { tenantId: string; id: string; name: string; body: B; createdBy: string | null; expectedVersion?: number | undefined },
): Promise<Versioned<B> | 'not_found' | 'stale'> {
  const bumped = await db.query<{ current_version: number }>(
    `UPDATE ${s.head} SET current_version = current_version + 1, name = $3, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL AND ($4::int IS NULL OR current_version = $4)
     RETURNING current_version`,
    [v.tenantId, v.id, v.name, v.expectedVersion ?? null],
  );
  const row = bumped.rows[0];
  if (!row) return (await findVersioned(db, s, v.tenantId, v.id)) ? 'stale' : 'not_found';
  await db.query(
    `INSERT INTO ${s.versions} (id, ${s.fk}, tenant_id, version, ${s.body}, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [newId(), v.id, v.tenantId, row.current_version, JSON.stringify(v.body), v.createdBy],
  );
  return (await findVersioned<B>(db, s, v.tenantId, v.id))!;
}

export async function softDeleteVersioned(db: Queryable, s: VersionedSpec, tenantId: string, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE ${s.head} SET deleted_at = now() WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [tenantId, id]);
  return (r.rowCount ?? 0) > 0;
}

export interface VersionRecord<B> {
  versionId: string;
  version: number;
  body: B;
  createdAt: Date;
  createdBy: string | null;
}

export async function listVersions<B>(db: Queryable, s: VersionedSpec, tenantId: string, id: string): Promise<VersionRecord<B>[]> {
  const r = await db.query<{ id: string; version: number; body: B; created_at: Date; created_by: string | null }>(
    `SELECT id, version, ${s.body} AS body, created_at, created_by FROM ${s.versions}
     WHERE tenant_id = $1 AND ${s.fk} = $2 ORDER BY version DESC`,
    [tenantId, id],
  );
  return r.rows.map((x) => ({ versionId: x.id, version: x.version, body: x.body, createdAt: x.created_at, createdBy: x.created_by }));
}

/** A specific version by its id (what an attempt ran), regardless of later edits or deletion. */
export async function findVersionById<B>(db: Queryable, s: VersionedSpec, versionId: string): Promise<(VersionRecord<B> & { headId: string }) | undefined> {
  const r = await db.query<{ id: string; head: string; version: number; body: B; created_at: Date; created_by: string | null }>(
    `SELECT id, ${s.fk} AS head, version, ${s.body} AS body, created_at, created_by FROM ${s.versions} WHERE id = $1`,
    [versionId],
  );
  const x = r.rows[0];
  return x && { versionId: x.id, headId: x.head, version: x.version, body: x.body, createdAt: x.created_at, createdBy: x.created_by };
}
