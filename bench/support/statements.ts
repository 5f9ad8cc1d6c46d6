import type { Db, Queryable } from '../../src/store/db.js';

export interface StatementCount {
  /** Statements run since counting started (or since the last `reset`). */
  total(): number;
  /** Each statement by its first words: how many per unit of work, and its mean wall time. */
  lines(per: number, top?: number): string[];
  reset(): void;
  /** Puts the database's own query functions back. */
  stop(): void;
}

/** Counts the statements an application runs through `db` (and the clients it hands out), with their wall time. */
export function countStatements(db: Db): StatementCount {
  const seen = new Map<string, { n: number; ms: number }>();
  // pg's Pool and clients also call query() with a callback among themselves: passed through untimed.
  const wrap = (q: Queryable['query']): Queryable['query'] =>
    (async (text: string, params?: readonly unknown[], ...rest: unknown[]) => {
      if (rest.length > 0 || typeof params === 'function') return (q as (...a: unknown[]) => unknown)(text, params, ...rest);
      const started = performance.now();
      try {
        return await q(text, params);
      } finally {
        const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
        const s = seen.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - started;
        seen.set(key, s);
      }
    }) as Queryable['query'];
  const query = db.query.bind(db);
  const connect = db.connect.bind(db);
  db.query = wrap(query);
  // A pool hands the same client out again and again: each is wrapped once (wrapped at every
  // checkout, a statement on a reused client was counted once per earlier checkout), and put back
  // as it was at stop.
  const wrapped = new Map<Awaited<ReturnType<Db['connect']>>, Queryable['query']>();
  // On PostgreSQL `db` is pg's Pool, whose own query() connects with a callback: that form is left as is.
  db.connect = ((callback?: unknown) => {
    if (typeof callback === 'function') return (connect as unknown as (cb: unknown) => void)(callback);
    return connect().then((client) => {
      if (!wrapped.has(client)) {
        wrapped.set(client, client.query);
        client.query = wrap(client.query.bind(client));
      }
      return client;
    });
  }) as Db['connect'];
  return {
    total: () => [...seen.values()].reduce((n, s) => n + s.n, 0),
    lines: (per, top = 25) =>
      [...seen]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, top)
        .map(([k, s]) => `${(s.n / Math.max(1, per)).toFixed(2)}× ${(s.ms / s.n).toFixed(2)} ms  ${k}`),
    reset: () => seen.clear(),
    stop() {
      db.query = query;
      db.connect = connect;
      for (const [client, original] of wrapped) client.query = original;
      wrapped.clear();
    },
  };
}
