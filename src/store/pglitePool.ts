import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { prepareValue } from 'pg/lib/utils.js';
import { rethrowWithCallerStack, type Db, type DbClient, type Notification, type QueryResult } from './db.js';
import { currentPriority } from './dbPriority.js';
import { PGliteStatements } from './pgliteStatements.js';

/**
 * PGlite is one database session. This adapter gives it the `pg.Pool` shape the rest of the code
 * (and agenda's PostgreSQL backend) expects:
 * - `query()` runs under a mutex, one statement at a time;
 * - `connect()` returns a client that takes the mutex at its first statement and keeps it until
 *   `release()`, so BEGIN…COMMIT on that client is atomic;
 * - LISTEN / UNLISTEN on a client do not take the mutex (a listening client lives for hours);
 *   notifications are fanned out from PGlite's single notification callback;
 * - rows are parsed with pg's own type parsers and parameters prepared with pg's `prepareValue`,
 *   so int8, dates, bytea and json look exactly as they do from a server.
 * We do not use @electric-sql/pglite-socket (loses notifications, a pool of one deadlocks) nor
 * @electric-sql/pglite/node-postgres (after a failed parameterised query the next ones fail).
 */
/**
 * One statement (or one transaction) at a time: by who waits for it (src/store/dbPriority.ts),
 * then first come first served. PGlite runs a statement synchronously and
 * resolves its promise as a microtask, so a queue of statements handed over from promise to
 * promise runs back to back without returning to the event loop: under load the process read no
 * socket for hundreds of milliseconds (a platform's webhook waited while other calls' statements
 * ran). Handing over on every statement would cost a loop turn each; instead, once statements
 * have run back to back for SLICE_MS, the next one waits for the loop's next turn
 * (`setImmediate`), so arriving requests are read at least that often.
 */
const SLICE_MS = 10;

class Mutex {
  private held = false;
  // One queue per priority (src/store/dbPriority.ts), the callee on the line first.
  private readonly waiting: (() => void)[][] = [[], [], []];
  private sliceStart = performance.now();
  // The real one even where a test fakes timers: handing over must never wait on a fake clock.
  private readonly nextTurn = globalThis.setImmediate;

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.held = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.handOver();
        });
      };
      if (this.held) this.waiting[currentPriority()]!.push(grant);
      else {
        this.sliceStart = performance.now();
        grant();
      }
    });
  }

  private handOver(): void {
    const next = this.waiting[0]!.shift() ?? this.waiting[1]!.shift() ?? this.waiting[2]!.shift();
    if (!next) {
      this.held = false;
      return;
    }
    if (performance.now() - this.sliceStart < SLICE_MS) {
      next();
      return;
    }
    this.nextTurn(() => {
      this.sliceStart = performance.now();
      next();
    });
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

// Parse every built-in type with pg's text parsers (what a server connection would give us).
const BUILTIN_OIDS = Object.values(pg.types.builtins).filter((v): v is number => typeof v === 'number');
const ARRAY_OIDS = [1000, 1005, 1007, 1016, 1009, 1015, 1014, 1021, 1022, 1231, 1115, 1182, 1185, 1187, 199, 3807, 2951, 1001];
const parsers: Record<number, (value: string) => unknown> = {};
for (const oid of [...BUILTIN_OIDS, ...ARRAY_OIDS]) {
  const parse = pg.types.getTypeParser(oid, 'text') as (v: string) => unknown;
  parsers[oid] = (v: string) => parse(v);
}

const TIMESTAMPTZ_OID = 1184;
const TEXT_ARRAY_OID = 1009;

/**
 * BEGIN, COMMIT and ROLLBACK go to PostgreSQL as one protocol message each. Through PGlite's
 * `exec()` the pair took 67–82 µs back to back against 25–27 µs as bare messages (a throwaway
 * script, 3,000 pairs): a call runs four transactions or so, each paying it twice.
 */
const TRANSACTION_CONTROL_RE = /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i;

const LISTEN_RE = /^\s*(UNLISTEN|LISTEN)\s+("(?:[^"]|"")+"|[A-Za-z_][\w$]*|\*)\s*;?\s*$/i;

function channelName(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.toLowerCase();
}

/**
 * pg's rowCount: rows returned by a SELECT, rows changed by INSERT / UPDATE / DELETE. PGlite says
 * affectedRows 0 for a SELECT, which libraries testing `rowCount === 0` read as "not found".
 */
function rowCountOf(affectedRows: number | undefined, returned: number): number {
  return Math.max(affectedRows ?? 0, returned);
}

function prepareParams(params: readonly unknown[] | undefined): unknown[] | undefined {
  if (!params || params.length === 0) return undefined;
  return params.map((p) => prepareValue(p));
}

export class PGlitePool implements Db {
  readonly kind = 'pglite' as const;
  readonly mutex = new Mutex();
  private readonly listeners = new Map<string, Set<PGliteClient>>();
  private ended = false;
  private readonly statements: PGliteStatements;

  constructor(readonly pglite: PGlite) {
    this.statements = new PGliteStatements(pglite);
    pglite.onNotification((channel, payload) => {
      for (const client of this.listeners.get(channel) ?? []) {
        client.emit('notification', { channel, payload, processId: 0 } satisfies Notification);
      }
    });
  }

  /** Runs one statement without taking the mutex: callers must hold it. */
  async raw<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    this.installParsers();
    const prepared = prepareParams(params);
    if (!prepared && TRANSACTION_CONTROL_RE.test(text)) {
      await this.pglite.execProtocolStream(serialize.query(text));
      return { rows: [], rowCount: 0 };
    }
    if (!prepared) {
      // Simple protocol: allows several statements (migrations) and statements without parameters.
      const results = await this.pglite.exec(text);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], rowCount: rowCountOf(last?.affectedRows, last?.rows.length ?? 0) };
    }
    const res = await this.statements.run<R>(text, prepared);
    return { rows: res.rows, rowCount: rowCountOf(res.affectedRows, res.rows.length) };
  }

  /**
   * pg's parsers become the instance's own: passed per query, PGlite merges them into a new
   * object on every statement, which the profile showed as a third of the dispatcher's CPU. PGlite
   * fills in its array parsers while it starts, so this runs again if those ever replace ours.
   */
  private installParsers(): void {
    const own = this.pglite.parsers as Record<number, unknown>;
    if (own[TIMESTAMPTZ_OID] !== parsers[TIMESTAMPTZ_OID] || own[TEXT_ARRAY_OID] !== parsers[TEXT_ARRAY_OID]) Object.assign(own, parsers);
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.ended) return Promise.reject(new Error('database is closed'));
    return this.mutex.run(() => this.raw<R>(text, params)).catch(rethrowWithCallerStack);
  }

  async connect(): Promise<DbClient> {
    if (this.ended) throw new Error('database is closed');
    return new PGliteClient(this);
  }

  subscribe(channel: string, client: PGliteClient): void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(client);
  }

  /** Returns true when nobody listens on the channel any more. */
  unsubscribe(channel: string, client: PGliteClient): boolean {
    const set = this.listeners.get(channel);
    set?.delete(client);
    if (set && set.size === 0) {
      this.listeners.delete(channel);
      return true;
    }
    return false;
  }

  channelsOf(client: PGliteClient): string[] {
    return [...this.listeners.entries()].filter(([, s]) => s.has(client)).map(([c]) => c);
  }

  /** True once `end()` was called. */
  get closed(): boolean {
    return this.ended;
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.mutex.run(async () => {
      await this.pglite.close();
    });
  }
}

class PGliteClient extends EventEmitter implements DbClient {
  private releaseMutex: (() => void) | undefined;
  private released = false;

  constructor(private readonly pool: PGlitePool) {
    super();
  }

  async query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.released) throw new Error('client already released');
    const listen = LISTEN_RE.exec(text);
    if (listen) {
      await this.listenOrUnlisten(listen[1]!.toUpperCase(), listen[2]!);
      return { rows: [], rowCount: null };
    }
    if (!this.releaseMutex) this.releaseMutex = await this.pool.mutex.acquire();
    return this.pool.raw<R>(text, params).catch(rethrowWithCallerStack);
  }

  private async listenOrUnlisten(verb: string, token: string): Promise<void> {
    if (verb === 'LISTEN') {
      const channel = channelName(token);
      this.pool.subscribe(channel, this);
      await this.runOutsideSession(`LISTEN ${token}`);
      return;
    }
    const channels = token === '*' ? this.pool.channelsOf(this) : [channelName(token)];
    for (const channel of channels) {
      if (this.pool.unsubscribe(channel, this)) {
        await this.runOutsideSession(`UNLISTEN "${channel.replace(/"/g, '""')}"`);
      }
    }
  }

  /** LISTEN is session state; run it under the mutex unless this client already holds it. */
  private async runOutsideSession(sql: string): Promise<void> {
    if (this.releaseMutex) await this.pool.raw(sql);
    else await this.pool.mutex.run(() => this.pool.raw(sql));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const channel of this.pool.channelsOf(this)) this.pool.unsubscribe(channel, this);
    this.releaseMutex?.();
    this.releaseMutex = undefined;
  }
}
