import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Db } from './db.js';
import { lockDataDir, type DataDirLock } from './dataDirLock.js';
import { PGlitePool } from './pglitePool.js';
import type { Logger } from '../log.js';
import { Outage } from './outage.js';

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
  /** Where connection losses are reported (once per outage). */
  log?: Logger | undefined;
}

// A server that does not answer at all (a partition, not a refused port) must not hold a request
// or a worker forever: connecting gives up after this, and the caller sees "unavailable".
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A connection that dies (the server restarts: `pg_ctl stop -m fast`, a failover, a network cut)
 * emits 'error' on its client — in the pool when idle, on whoever holds it otherwise (a worker
 * between two statements, agenda's LISTEN connection). Unheard, that ends the process. Every client
 * gets a listener the moment it connects; the pool drops dead clients and the next query connects
 * afresh once the server is back. The outage is logged once, not once per connection.
 */
function watchConnections(pool: pg.Pool, log: Logger | undefined): void {
  const outage = log ? new Outage(log, 'database connection') : undefined;
  const onError = (err: Error) => outage?.failed(err);
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
    outage?.ok();
  });
}

/** DATABASE_URL unset → PGlite in $DATA_DIR/pg (locked to this process); postgres://… → a pg pool. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    watchConnections(pool, opts.log);
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
