import type { Queryable } from '../db.js';

export type MediaKind = 'recording' | 'greeting';

export interface Media {
  id: string;
  tenantId: string;
  kind: MediaKind;
  name: string;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  durationMs: number;
  /** A derived copy (e.g. the MP3 of a recording): the original's id and what kind of copy. */
  derivedFrom: string | null;
  variant: string | null;
  createdAt: Date;
}

interface MediaRow {
  id: string;
  tenant_id: string;
  kind: MediaKind;
  name: string;
  storage_key: string;
  content_type: string;
  size_bytes: string;
  duration_ms: number;
  derived_from: string | null;
  variant: string | null;
  created_at: Date;
}

const toMedia = (r: MediaRow): Media => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind,
  name: r.name,
  storageKey: r.storage_key,
  contentType: r.content_type,
  sizeBytes: Number(r.size_bytes),
  durationMs: r.duration_ms,
  derivedFrom: r.derived_from,
  variant: r.variant,
  createdAt: r.created_at,
});

export async function insertMedia(db: Queryable, m: Omit<Media, 'createdAt' | 'derivedFrom' | 'variant'> & Partial<Pick<Media, 'derivedFrom' | 'variant'>>): Promise<Media> {
  const r = await db.query<MediaRow>(
    `INSERT INTO media (id, tenant_id, kind, name, storage_key, content_type, size_bytes, duration_ms, derived_from, variant)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [m.id, m.tenantId, m.kind, m.name, m.storageKey, m.contentType, m.sizeBytes, m.durationMs, m.derivedFrom ?? null, m.variant ?? null],
  );
  return toMedia(r.rows[0]!);
}

/** Inserts a derived copy unless the original already has one of that variant; the copy that is kept. */
export async function insertMediaVariant(db: Queryable, m: Omit<Media, 'createdAt'> & { derivedFrom: string; variant: string }): Promise<{ media: Media; inserted: boolean }> {
  const r = await db.query<MediaRow>(
    `INSERT INTO media (id, tenant_id, kind, name, storage_key, content_type, size_bytes, duration_ms, derived_from, variant)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (derived_from, variant) WHERE derived_from IS NOT NULL DO NOTHING RETURNING *`,
    [m.id, m.tenantId, m.kind, m.name, m.storageKey, m.contentType, m.sizeBytes, m.durationMs, m.derivedFrom, m.variant],
  );
  if (r.rows[0]) return { media: toMedia(r.rows[0]), inserted: true };
  const existing = await findMediaVariant(db, m.derivedFrom, m.variant);
  return { media: existing!, inserted: false };
}

export async function findMediaVariant(db: Queryable, originalId: string, variant: string): Promise<Media | undefined> {
  const r = await db.query<MediaRow>('SELECT * FROM media WHERE derived_from = $1 AND variant = $2', [originalId, variant]);
  return r.rows[0] && toMedia(r.rows[0]);
}

/** By id alone: signed recording URLs carry no tenant, the signature is the permission. */
export async function findMediaById(db: Queryable, id: string): Promise<Media | undefined> {
  const r = await db.query<MediaRow>('SELECT * FROM media WHERE id = $1', [id]);
  return r.rows[0] && toMedia(r.rows[0]);
}

export async function listMedia(db: Queryable, tenantId: string, kind: MediaKind): Promise<Media[]> {
  const r = await db.query<MediaRow>('SELECT * FROM media WHERE tenant_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 500', [tenantId, kind]);
  return r.rows.map(toMedia);
}

export async function deleteMedia(db: Queryable, tenantId: string, id: string): Promise<Media | undefined> {
  const r = await db.query<MediaRow>('DELETE FROM media WHERE tenant_id = $1 AND id = $2 RETURNING *', [tenantId, id]);
  return r.rows[0] && toMedia(r.rows[0]);
}
