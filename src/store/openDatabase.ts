import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Db } from './db.js';
import { lockDataDir, type DataDirLock } from './dataDirLock.js';
import { PGlitePool } from './pglitePool.js';

export interface OpenedDatabase {
  db: Db;
  /** Closes the database and releases the data-directory lock. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** A PGlite data-directory tarball to start from when the directory is empty (tests clone a migrated template). */
  pgliteTemplate?: Blob | undefined;
}

/** DATABASE_URL unset → PGlite in $DATA_DIR/pg (locked to this process); postgres://… → a pg pool. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = Object.assign(pool, { kind: 'postgres' as const }) as unknown as Db;
    await db.query('SELECT 1');
    return { db, close: () => pool.end() };
  }
  const lock: DataDirLock = lockDataDir(opts.dataDir);
  try {
    const pgDir = path.join(opts.dataDir, 'pg');
    fs.mkdirSync(pgDir, { recursive: true });
    const empty = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
    const pglite = await PGlite.create({ dataDir: pgDir, ...(empty && opts.pgliteTemplate ? { loadDataDir: opts.pgliteTemplate } : {}) });
    const db = new PGlitePool(pglite);
    return {
      db,
      close: async () => {
        try {
          await db.end();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
