import pg from 'pg';
import { rethrowWithCallerStack } from './db.js';

/**
 * A `pg.Client` that runs every parameterised statement as a named prepared statement, one per
 * distinct text, so the server parses and plans it once per connection instead of on every call
 * (as pgx, postgres.js and JDBC drivers do by default). Statements without parameters (BEGIN,
 * migrations, LISTEN) stay on the simple protocol. At most `MAX_NAMED` texts get a name: SQL built
 * with inlined values would otherwise grow every connection's plan cache without end.
 */
const MAX_NAMED = 1_000;

/**
 * A prepared `SELECT *` whose table gained a column fails with 0A000 "cached plan must not change
 * result type" (a migration run by another process): that text gets a new name, so it is prepared
 * afresh on every connection.
 */
const PLAN_CHANGED = '0A000';

export class StatementNames {
  private readonly names = new Map<string, string>();
  private next = 0;

  of(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED) {
      name = `dozvon_${(this.next++).toString(36)}`;
      this.names.set(text, name);
    }
    return name;
  }

  renew(text: string): void {
    if (this.names.has(text)) this.names.set(text, `dozvon_${(this.next++).toString(36)}`);
  }

  get size(): number {
    return this.names.size;
  }
}

type Callback = (err: Error | null, res?: unknown) => void;

export function preparingClient(names: StatementNames): typeof pg.Client {
  class PreparingClient extends pg.Client {
    // pg's overloads cannot be restated one by one: the arguments pass through unchanged unless
    // they are (text, values[, callback]), as the pool and our code call it.
    override query(...args: unknown[]): never {
      const [text, values, callback] = args;
      const call = (super.query as (...a: unknown[]) => unknown).bind(this);
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || names.of(text) === undefined) return call(...args) as never;
      const named = (cb: Callback) => call({ name: names.of(text), text, values }, cb);
      const run = (cb: Callback) =>
        named((err, res) => {
          if ((err as { code?: string } | null)?.code !== PLAN_CHANGED) return cb(err, res);
          names.renew(text);
          // Outside a transaction the statement runs again, prepared from the new table; inside
          // one the error has aborted it, and the caller's retry finds the new name.
          if (this.getTransactionStatus() === 'I') named(cb);
          else cb(err, res);
        });
      if (typeof callback === 'function') return run(callback as Callback) as never;
      return new Promise((resolve, reject) => run((err, res) => (err ? reject(err) : resolve(res)))).catch(rethrowWithCallerStack) as never;
    }
  }
  return PreparingClient;
}
