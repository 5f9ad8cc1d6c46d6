import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Db } from '../../../src/store/db.js';
import { loadConfig } from '../../../src/config.js';
import { withTransaction } from '../../../src/store/db.js';
import { openDatabase } from '../../../src/store/openDatabase.js';
import { preparingClient, StatementNames } from '../../../src/store/preparingClient.js';
import { onRealPostgres, openTestDatabase } from '../../support/db.js';

describe('statement names (one per distinct text, a bounded number)', () => {
  it('gives the same text the same name, another text another, and stops naming at the bound', () => {
    const names = new StatementNames();
    const a = names.of('SELECT $1');
    expect(names.of('SELECT $1')).toBe(a);
    expect(names.of('SELECT $1 + 1')).not.toBe(a);
    for (let i = 0; i < 1_200; i++) names.of(`SELECT $1 + ${i}`);
    expect(names.size).toBe(1_000);
    expect(names.of('SELECT $1 + 1199')).toBeUndefined();
    expect(names.of('SELECT $1')).toBe(a);
  });

  it('a renewed text gets a new name; an unknown one stays unnamed', () => {
    const names = new StatementNames();
    const a = names.of('SELECT * FROM t WHERE id = $1');
    names.renew('SELECT * FROM t WHERE id = $1');
    expect(names.of('SELECT * FROM t WHERE id = $1')).not.toBe(a);
    names.renew('SELECT 2');
    expect(names.size).toBe(1);
  });
});

describe.runIf(onRealPostgres())('prepared statements on a PostgreSQL server', () => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    let env: { DATABASE_URL?: string };
    ({ db, env, close } = await openTestDatabase());
    url = env.DATABASE_URL!;
  });
  afterAll(async () => close?.());

  it('a parameterised statement is prepared on its connection once and run by name after', async () => {
    const client = await db.connect();
    try {
      for (let i = 0; i < 3; i++) expect((await client.query<{ n: number }>('SELECT $1::int + 40 AS n', [i])).rows).toEqual([{ n: 40 + i }]);
      await client.query('SELECT 1'); // no parameters: the simple protocol, not prepared
      const prepared = await client.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%+ 40 AS n%' OR statement = 'SELECT 1'");
      expect(prepared.rows.map((r) => r.statement)).toEqual(['SELECT $1::int + 40 AS n']);
    } finally {
      client.release();
    }
  });

  it('a table altered by another process under a prepared SELECT * returns its new columns', async () => {
    await db.query(`CREATE TABLE server_altered_probe (id int PRIMARY KEY, v text); INSERT INTO server_altered_probe VALUES (1, 'a')`);
    const select = 'SELECT * FROM server_altered_probe WHERE id = $1';
    const client = await db.connect();
    try {
      expect((await client.query(select, [1])).rows).toEqual([{ id: 1, v: 'a' }]);
      // Another process's migration, on its own connection.
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      await other.query('ALTER TABLE server_altered_probe ADD COLUMN w int NOT NULL DEFAULT 5');
      await other.end();
      expect((await client.query(select, [1])).rows).toEqual([{ id: 1, v: 'a', w: 5 }]);
      await client.query('ALTER TABLE server_altered_probe ADD COLUMN x int NOT NULL DEFAULT 6');
      // Inside a transaction the changed plan aborts it; the caller's retry runs with the new columns.
      await client.query('BEGIN');
      await expect(client.query(select, [1])).rejects.toMatchObject({ code: '0A000' });
      await client.query('ROLLBACK');
      expect((await client.query(select, [1])).rows).toEqual([{ id: 1, v: 'a', w: 5, x: 6 }]);
    } finally {
      client.release();
    }
  });

  it('transactions, the pool and a refused write behave as before', async () => {
    await db.query('CREATE TABLE server_prepared_probe (id int PRIMARY KEY)');
    const insert = 'INSERT INTO server_prepared_probe (id) VALUES ($1)';
    await db.query(insert, [1]);
    await expect(
      withTransaction(db, async (tx) => {
        await tx.query(insert, [2]);
        await tx.query(insert, [1]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => db.query(insert, [i + 10])));
    expect((await db.query<{ n: string }>('SELECT count(*) AS n FROM server_prepared_probe WHERE id >= $1', [0])).rows[0]!.n).toBe('31');
  });

  it('DATABASE_PREPARED_STATEMENTS=false (PgBouncer in transaction mode) runs every statement unnamed', async () => {
    const config = loadConfig({ DATABASE_URL: url, DATABASE_PREPARED_STATEMENTS: 'false', DATA_DIR: '/tmp/unused' });
    expect(config.databasePreparedStatements).toBe(false);
    expect(loadConfig({ DATA_DIR: '/tmp/unused' }).databasePreparedStatements).toBe(true);
    const plain = await openDatabase({ databaseUrl: url, dataDir: '/tmp/unused', preparedStatements: config.databasePreparedStatements });
    try {
      const client = await plain.db.connect();
      try {
        expect((await client.query<{ n: number }>('SELECT $1::int + 41 AS n', [1])).rows).toEqual([{ n: 42 }]);
        expect((await client.query('SELECT 1 FROM pg_prepared_statements')).rowCount).toBe(0);
      } finally {
        client.release();
      }
    } finally {
      await plain.close();
    }
  });

  it('a client of the class alone works as a pg.Client', async () => {
    const Client = preparingClient(new StatementNames());
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      expect((await c.query<{ n: number }>('SELECT $1::int AS n', [3])).rows).toEqual([{ n: 3 }]);
    } finally {
      await c.end();
    }
  });
});
