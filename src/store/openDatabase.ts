import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Db } from './db.js';
import { lockDataDir, type DataDirLock, type LockOwner } from './dataDirLock.js';
import { secureDataDir, type TightenReport } from './dataDirPermissions.js';
import { compilePgliteModule } from './pgliteModule.js';
import { PGlitePool } from './pglitePool.js';
import type { Logger } from '../log.js';
import { Outage } from './outage.js';
import { preparingClient, StatementNames } from './preparingClient.js';

export interface OpenedDatabase {
  db: Db;
  /** Closes the database and releases the data-directory lock. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** Parameterised statements as named prepared statements on a server (default true; src/store/preparingClient.ts). */
  preparedStatements?: boolean;
  /**
   * A PGlite data-directory tarball to start from when the directory is empty (tests clone a
   * migrated template; `npm start` the one its build made, src/store/pgliteTemplate.ts). A function
   * is asked only then: a restart does not read it.
   */
  pgliteTemplate?: Blob | (() => Blob | undefined) | undefined;
  /** Whether an empty directory was started from the template or by initdb (for the log). */
  onCreated?: (how: 'template' | 'initdb') => void;
  /** Where connection losses are reported (once per outage). */
  log?: Logger | undefined;
  /**
   * The data-directory lock was lost while the embedded database was open (another process took
   * it over or the lock was removed). The database is closed before this is called: every further
   * query fails, and the process should stop.
   */
  onLockLost?: (err: Error) => void;
  /** A dead holder's lock was taken over (for the log). */
  onLockTakeover?: (previous: LockOwner | undefined) => void;
  /** What was tightened under $DATA_DIR/pg once PGlite had opened it (for the log). */
  onTightened?: (report: TightenReport) => void;
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

/**
 * PGlite's buffer pool. PostgreSQL's default, 128 MB, is zeroed at every start (Emscripten's mmap):
 * 145 MB of shared memory first touched, ~0.4–0.6 s of a restart on a VM that charges 10–15 µs a
 * page. Its pages mostly duplicate the operating system's file cache, which PGlite reads through
 * anyway: with 32 MB, a 1,000,000-row import ran at 12,967 / 15,337 rows/s against 12,161 / 13,254,
 * the dispatcher at the same CPU per number, the peak 100 MB lower (bench `import`, alternating).
 */
const PGLITE_SHARED_BUFFERS = '32MB';

/** DATABASE_URL unset → PGlite in $DATA_DIR/pg (locked to this process); postgres://… → a pg pool. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      ...(opts.preparedStatements === false ? {} : { Client: preparingClient(new StatementNames()) }),
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    watchConnections(pool, opts.log);
    const db = Object.assign(pool, { kind: 'postgres' as const }) as unknown as Db;
    await db.query('SELECT 1');
    return { db, close: () => pool.end() };
  }
  let opened: PGlitePool | undefined;
  let lost: Error | undefined;
  const pgliteModule = compilePgliteModule();
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
    const template = empty ? (typeof opts.pgliteTemplate === 'function' ? opts.pgliteTemplate() : opts.pgliteTemplate) : undefined;
    const pgliteWasmModule = await pgliteModule;
    const create = (from: Blob | undefined) =>
      PGlite.create({
        dataDir: pgDir,
        ...(pgliteWasmModule ? { pgliteWasmModule } : {}),
        ...(from ? { loadDataDir: from } : {}),
        startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
      });
    let pglite: PGlite;
    let how: 'template' | 'initdb' | undefined = empty ? 'initdb' : undefined;
    if (template) {
      try {
        pglite = await create(template);
        how = 'template';
      } catch (err) {
        // A template that does not unpack (damaged on disk) must not stop a first start: what it left
        // in the still-new directory goes, and initdb makes the database as it always could.
        opts.log?.warn({ err }, 'the new embedded database from the build did not open; creating it with initdb');
        fs.rmSync(pgDir, { recursive: true, force: true });
        fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
        pglite = await create(undefined);
      }
    } else {
      pglite = await create(undefined);
    }
    if (how) opts.onCreated?.(how);
    // PGlite gives the files of a new cluster mode 0666 itself, whatever the umask: tightened here,
    // so every opener — the server, the CLI — leaves none open to others. An existing cluster is
    // not walked again here: the server walks its data directory once it runs.
    if (how) {
      const tightened = secureDataDir(pgDir);
      opts.onTightened?.(tightened);
    }
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
