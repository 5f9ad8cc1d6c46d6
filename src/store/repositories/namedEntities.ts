import type { Queryable } from '../db.js';
import { newId } from '../ids.js';

/**
 * The supporting entities of templates — redial-rule sets, caller-ID groups, dial plans, transfer
 * directions — are all "a named row of settings in a tenant". One repository serves them all,
 * driven by a column map, so each entity is a few lines of declaration instead of a copied file.
 */
export interface ColumnSpec {
  column: string;
  json?: boolean;
}

export interface NamedEntitySpec<T extends Record<string, unknown>> {
  table: 'redial_rule_sets' | 'caller_id_groups' | 'dial_plans' | 'transfer_directions';
  columns: { [K in keyof T]: ColumnSpec };
}

export type Named<T> = T & { id: string; tenantId: string; name: string; createdAt: Date; updatedAt: Date };

export interface NamedEntityRepo<T extends Record<string, unknown>> {
  list(db: Queryable, tenantId: string): Promise<Named<T>[]>;
  find(db: Queryable, tenantId: string, id: string): Promise<Named<T> | undefined>;
  insert(db: Queryable, tenantId: string, name: string, data: T): Promise<Named<T>>;
  update(db: Queryable, tenantId: string, id: string, name: string, data: T): Promise<Named<T> | undefined>;
  remove(db: Queryable, tenantId: string, id: string): Promise<boolean>;
}

export function namedEntityRepo<T extends Record<string, unknown>>(spec: NamedEntitySpec<T>): NamedEntityRepo<T> {
  const keys = Object.keys(spec.columns) as (keyof T & string)[];
  const cols = keys.map((k) => spec.columns[k].column);
  const toEntity = (row: Record<string, unknown>): Named<T> => {
    const data = Object.fromEntries(keys.map((k) => [k, row[spec.columns[k].column]])) as T;
    return {
      ...data,
      id: row.id as string,
      tenantId: row.tenant_id as string,
      name: row.name as string,
      createdAt: row.created_at as Date,
      updatedAt: row.updated_at as Date,
    };
  };
  const values = (data: T) => keys.map((k) => (spec.columns[k].json ? JSON.stringify(data[k]) : data[k]));
  const t = spec.table;
  return {
    async list(db, tenantId) {
      const r = await db.query(`SELECT * FROM ${t} WHERE tenant_id = $1 ORDER BY lower(name)`, [tenantId]);
      return r.rows.map(toEntity);
    },
    async find(db, tenantId, id) {
      const r = await db.query(`SELECT * FROM ${t} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return r.rows[0] && toEntity(r.rows[0]);
    },
    async insert(db, tenantId, name, data) {
      const params = cols.map((_, i) => `$${i + 4}`).join(', ');
      const r = await db.query(
        `INSERT INTO ${t} (id, tenant_id, name, ${cols.join(', ')}) VALUES ($1, $2, $3, ${params}) RETURNING *`,
        [newId(), tenantId, name, ...values(data)],
      );
      return toEntity(r.rows[0]!);
    },
    async update(db, tenantId, id, name, data) {
      const sets = cols.map((c, i) => `${c} = $${i + 4}`).join(', ');
      const r = await db.query(
        `UPDATE ${t} SET name = $3, ${sets}, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, id, name, ...values(data)],
      );
      return r.rows[0] && toEntity(r.rows[0]);
    },
    async remove(db, tenantId, id) {
      const r = await db.query(`DELETE FROM ${t} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return (r.rowCount ?? 0) > 0;
    },
  };
}
