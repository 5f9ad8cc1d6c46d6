import fs from 'node:fs';
import path from 'node:path';
import { sourcePath } from '../appFiles.js';
import type { Db } from './db.js';

/**
 * Numbered, forward-only SQL migrations (`migrations/0001_<name>.sql` …), one runner for PGlite and
 * PostgreSQL. Two processes booting at once serialise on an advisory lock; each file runs in its own
 * transaction with its bookkeeping row; a database newer than this code stops the app with a clear message.
 */
export const migrationsDir = sourcePath('store/migrations');

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly dbVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `The database schema is at version ${dbVersion}, newer than this Dozvon knows (${codeVersion}). ` +
        'Upgrade Dozvon before starting it on this database.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

// Arbitrary constant: the advisory-lock key every Dozvon process uses for migrations.
const MIGRATION_LOCK_KEY = 7_202_611_21;

export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ applied: string[] }> {
  if (await upToDate(db, migrations)) return { applied: [] };
  const client = await db.connect();
  const applied: string[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(`CREATE TABLE IF NOT EXISTS dozvon_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await client.query<{ id: number }>('SELECT id FROM dozvon_migrations ORDER BY id');
    const doneIds = new Set(done.rows.map((r) => Number(r.id)));
    const newest = Math.max(0, ...doneIds);
    const known = Math.max(0, ...migrations.map((m) => m.id));
    if (newest > known) throw new SchemaTooNewError(newest, known);
    for (const m of migrations) {
      if (doneIds.has(m.id)) continue;
      await client.query('BEGIN');
      try {
        // Bookkeeping first: a racing process without the lock would clash here and stop cleanly.
        await client.query('INSERT INTO dozvon_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
        await client.query(m.sql);
        await client.query('COMMIT');
        applied.push(m.name);
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
  } finally {
    try {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    } finally {
      client.release();
    }
  }
  return { applied };
}

export async function schemaVersion(db: Db): Promise<number> {
  const r = await db.query<{ v: number | null }>('SELECT max(id) AS v FROM dozvon_migrations');
  return Number(r.rows[0]?.v ?? 0);
}

/**
 * Every migration recorded already — what almost every start finds — is read in one statement,
 * without the advisory lock and the CREATE TABLE IF NOT EXISTS (on a freshly opened PGlite each
 * costs ~20 ms of catalog lookups at a restart). Applying migrations can only add rows, so a
 * database found up to date stays so. Anything else (no table yet, migrations to apply, a newer
 * schema) takes the locked path.
 */
async function upToDate(db: Db, migrations: Migration[]): Promise<boolean> {
  let row: { n: number; newest: number | null } | undefined;
  try {
    row = (await db.query<{ n: number; newest: number | null }>('SELECT count(*)::int AS n, max(id) AS newest FROM dozvon_migrations')).rows[0];
  } catch {
    return false; // no bookkeeping table yet: a new database
  }
  const known = Math.max(0, ...migrations.map((m) => m.id));
  return row !== undefined && row.n === migrations.length && Number(row.newest) === known;
}
