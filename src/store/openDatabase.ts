import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Db } from './db.js';
import { lockDataDir, type DataDirLock, type LockOwner } from './dataDirLock.js';
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
  /**
   * The data-directory lock was lost while the embedded database was open (another process took
   * it over or the lock was removed). The database is closed before this is called: every further
   * query fails, and the process should stop.
   */
  onLockLost?: (err: Error) => void;
  /** A dead holder's lock was taken over (for the log). */
  onLockTakeover?: (previous: LockOwner | undefined) => void;
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
  let opened: PGlitePool | undefined;
  let lost: Error | undefined;
  const lock: DataDirLock = await lockDataDir(opts.dataDir, {
    onCompromised: (err) => {
      lost = err;
      // Another process may be writing the files now: not one more statement from this one.
      void opened?.end().catch(() => undefined); // closing a PGlite we must abandon; its error changes nothing
      opts.onLockLost?.(err);
    },
    onTakeover: opts.onLockTakeover,
  });
  try {
    const pgDir = path.join(opts.dataDir, 'pg');
    fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    const empty = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
    const pglite = await PGlite.create({ dataDir: pgDir, ...(empty && opts.pgliteTemplate ? { loadDataDir: opts.pgliteTemplate } : {}) });
    const db = new PGlitePool(pglite);
    opened = db;
    if (lost) await db.end();
    return {
      db,
      close: async () => {
        try {
          await db.end();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (e) {
    await lock.release();
    throw e;
  }
}
