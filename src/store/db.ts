/**
 * The database as the rest of the code sees it: a `pg.Pool`-shaped object, whether it is a pool of
 * connections to a PostgreSQL server or the embedded PGlite behind a mutex (src/store/pglitePool.ts).
 *
 * Rule that keeps both working: never hold a client from `connect()` and call `db.query()` before
 * releasing it — on PGlite (one session) that deadlocks, exactly as `pg` does with `max: 1`.
 * Use `withTransaction` and pass its client down.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

export interface Notification {
  channel: string;
  payload?: string | undefined;
  processId: number;
}

export interface DbClient {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  release(err?: Error | boolean): void;
  on(event: 'notification', listener: (n: Notification) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  connect(): Promise<DbClient>;
  end(): Promise<void>;
}

/** Runs `fn` inside BEGIN…COMMIT on one client; rolls back on any error and rethrows it. */
export async function withTransaction<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // the original error matters more than a failed rollback on a broken connection
    }
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Rethrows a failed statement's error with a stack that leads back to the code that ran it (through
 * its awaits) instead of into the driver: pg's socket read, PGlite's WebAssembly glue. As pg's own
 * promise API does, so the log says who failed whichever database runs.
 */
export function rethrowWithCallerStack(err: unknown): never {
  if (err instanceof Error) Error.captureStackTrace(err);
  throw err;
}

/** A write refused by a unique index (PostgreSQL error 23505), on PGlite and a server alike. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}
