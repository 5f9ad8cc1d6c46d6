import { isUniqueViolation, type Queryable } from '../db.js';

/**
 * Clients-file imports in progress (migration 0065): one row per running import, which keeps its
 * campaign from being dialled until every batch is stored, and names the contacts to remove if
 * the import does not finish.
 */

/** Registers an import; false when another import into the campaign is still running. */
export async function beginImport(db: Queryable, i: { id: string; campaignId: string; tenantId: string; now: Date }): Promise<boolean> {
  try {
    await db.query('INSERT INTO campaign_imports (id, campaign_id, tenant_id, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $4)', [
      i.id,
      i.campaignId,
      i.tenantId,
      i.now,
    ]);
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

/** The import is alive (written with each batch it stores); false when its row is gone. */
export async function touchImport(db: Queryable, id: string, now: Date): Promise<boolean> {
  const r = await db.query('UPDATE campaign_imports SET heartbeat_at = $2 WHERE id = $1', [id, now]);
  return (r.rowCount ?? 0) > 0;
}

export async function endImport(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM campaign_imports WHERE id = $1', [id]);
}

/** Imports not heard of since `before`: their process died (or stopped) half-way. */
export async function staleImports(db: Queryable, before: Date): Promise<{ id: string; campaignId: string }[]> {
  const r = await db.query<{ id: string; campaign_id: string }>('SELECT id, campaign_id FROM campaign_imports WHERE heartbeat_at < $1', [before]);
  return r.rows.map((x) => ({ id: x.id, campaignId: x.campaign_id }));
}

/**
 * Removes up to `limit` contacts the import stored (their numbers go with them, ON DELETE CASCADE);
 * how many it removed. Called again until none is left, each call a short transaction of its own.
 */
export async function removeImportedContacts(db: Queryable, i: { id: string; campaignId: string }, limit: number): Promise<number> {
  const r = await db.query(
    `DELETE FROM campaign_contacts WHERE id IN (
       SELECT id FROM campaign_contacts WHERE campaign_id = $1 AND import_id = $2 LIMIT $3
     )`,
    [i.campaignId, i.id, limit],
  );
  return r.rowCount ?? 0;
}
