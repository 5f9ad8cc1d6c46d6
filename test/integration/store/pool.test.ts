import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Notification } from '../../../src/store/db.js';
import { withTransaction } from '../../../src/store/db.js';
import { ON_THE_LINE, withPriority } from '../../../src/store/dbPriority.js';
import { onRealPostgres, openTestDatabase } from '../../support/db.js';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await openTestDatabase());
  await db.query('CREATE TABLE pool_probe (id serial PRIMARY KEY, n int NOT NULL)');
});
afterAll(async () => close?.());

describe('the database as the code sees it (PGlite adapter and pg pool alike)', () => {
  it('returns values with the same JS types as a PostgreSQL server through pg', async () => {
    const r = await db.query<Record<string, unknown>>(
      `SELECT 9007199254740993::int8 AS big, 1.50::numeric AS num, now() AS ts, '{"a":[1,2]}'::jsonb AS js,
              '\\x0102'::bytea AS bin, true AS flag, ARRAY[1,2,3]::int[] AS arr, $1::text AS param, $2::jsonb AS jparam`,
      ['hello', JSON.stringify({ k: 'v' })],
    );
    const row = r.rows[0]!;
    expect(row.big).toBe('9007199254740993');
    expect(row.num).toBe('1.50');
    expect(row.ts).toBeInstanceOf(Date);
    expect(row.js).toEqual({ a: [1, 2] });
    expect(Buffer.isBuffer(row.bin)).toBe(true);
    expect(row.flag).toBe(true);
    expect(row.arr).toEqual([1, 2, 3]);
    expect(row.param).toBe('hello');
    expect(row.jparam).toEqual({ k: 'v' });
  });

  it("a failed statement's error keeps its code and a stack that leads back to its caller", async () => {
    const err = await db.query('SELECT $1::int / 0', [1]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '22012' });
    expect((err as Error).stack).toContain('pool.test');
    const inTransaction = await withTransaction(db, (tx) => tx.query('SELECT 1 / 0')).catch((e: unknown) => e);
    expect(inTransaction).toMatchObject({ code: '22012' });
    expect((inTransaction as Error).stack).toContain('pool.test');
  });

  it('rowCount is what a server reports: rows returned by a SELECT, rows changed by a write', async () => {
    await db.query('CREATE TABLE rowcount_probe (n int)');
    expect((await db.query('INSERT INTO rowcount_probe VALUES (1), (2), (3)')).rowCount).toBe(3);
    expect((await db.query('SELECT n FROM rowcount_probe WHERE n > $1', [1])).rowCount).toBe(2);
    expect((await db.query('SELECT n FROM rowcount_probe')).rowCount).toBe(3);
    expect((await db.query('SELECT n FROM rowcount_probe WHERE n > $1', [9])).rowCount).toBe(0);
    expect((await db.query('UPDATE rowcount_probe SET n = n + 1 WHERE n < $1 RETURNING n', [3])).rowCount).toBe(2);
    expect((await db.query('DELETE FROM rowcount_probe WHERE n = $1', [3])).rowCount).toBe(2);
    await db.query('DROP TABLE rowcount_probe');
  });

  it('a Date parameter round-trips as the same instant', async () => {
    const at = new Date('2026-03-29T01:30:00.123Z');
    const r = await db.query<{ t: Date }>('SELECT $1::timestamptz AS t', [at]);
    expect(r.rows[0]!.t.getTime()).toBe(at.getTime());
  });

  it('a transaction is atomic: a failure leaves nothing behind', async () => {
    await expect(
      withTransaction(db, async (tx) => {
        await tx.query('INSERT INTO pool_probe (n) VALUES (1)');
        await tx.query('INSERT INTO pool_probe (n) VALUES (NULL)');
      }),
    ).rejects.toThrow();
    const r = await db.query<{ c: string }>('SELECT count(*) AS c FROM pool_probe');
    expect(Number(r.rows[0]!.c)).toBe(0);
  });

  it('BEGIN, COMMIT and ROLLBACK by hand behave as on a server, however they are written', async () => {
    const client = await db.connect();
    try {
      await client.query('begin');
      await client.query('INSERT INTO pool_probe (n) VALUES ($1)', [-1]);
      await client.query('ROLLBACK;');
      await client.query(' BEGIN ');
      await client.query('INSERT INTO pool_probe (n) VALUES ($1)', [-2]);
      await client.query('commit');
      // A failed statement aborts the transaction: its COMMIT keeps nothing of it.
      await client.query('BEGIN');
      await client.query('INSERT INTO pool_probe (n) VALUES ($1)', [-3]);
      await expect(client.query('INSERT INTO pool_probe (n) VALUES (NULL)')).rejects.toThrow(/null value/);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const r = await db.query<{ n: number }>('SELECT n FROM pool_probe WHERE n < $1 ORDER BY n', [0]);
    expect(r.rows.map((x) => x.n)).toEqual([-2]);
    await db.query('DELETE FROM pool_probe WHERE n < $1', [0]);
  });

  it('concurrent transactions and plain queries never interleave inside a transaction', async () => {
    const work = Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? withTransaction(db, async (tx) => {
            await tx.query('INSERT INTO pool_probe (n) VALUES ($1)', [i]);
            await tx.query('UPDATE pool_probe SET n = n + 1000 WHERE n = $1', [i]);
          })
        : db.query('INSERT INTO pool_probe (n) VALUES ($1)', [i]),
    );
    await Promise.all(work);
    const r = await db.query<{ n: number }>('SELECT n FROM pool_probe ORDER BY n');
    const odd = r.rows.map((x) => x.n).filter((n) => n >= 1000);
    expect(odd).toHaveLength(10);
  });

  it('LISTEN on a client delivers NOTIFY from anywhere, until UNLISTEN', async () => {
    const client = await db.connect();
    const got: Notification[] = [];
    client.on('notification', (n) => got.push(n));
    await client.query('LISTEN "dozvon:test"');
    await db.query(`NOTIFY "dozvon:test", 'one'`);
    await new Promise((r) => setTimeout(r, 100));
    await client.query('UNLISTEN "dozvon:test"');
    await db.query(`NOTIFY "dozvon:test", 'two'`);
    await new Promise((r) => setTimeout(r, 100));
    client.release();
    expect(got.map((n) => [n.channel, n.payload])).toEqual([['dozvon:test', 'one']]);
  });
});

// PGlite is one session for the whole process: who goes first, and whether the process still
// reads its sockets while a queue of statements runs, is decided by our adapter.
describe.skipIf(onRealPostgres())('PGlite: one session shared fairly', () => {
  it("a call's step goes ahead of background statements already waiting", async () => {
    const holder = await db.connect();
    await holder.query('SELECT 1'); // holds the session until released
    const order: string[] = [];
    const background = Array.from({ length: 5 }, (_, i) => db.query('SELECT $1::int AS n', [i]).then(() => order.push(`background ${i}`)));
    const step = withPriority(ON_THE_LINE, async () => {
      await db.query('SELECT 1');
      order.push('step');
    });
    holder.release();
    await Promise.all([...background, step]);
    expect(order[0]).toBe('step');
    expect(order.slice(1)).toEqual(['background 0', 'background 1', 'background 2', 'background 3', 'background 4']);
  });

  it('a long queue of statements lets the process serve its timers and sockets between them', async () => {
    let timerRanAfter = -1;
    let done = 0;
    // Heavy statements, a few milliseconds each: together far longer than one event-loop turn.
    const queue = Array.from({ length: 40 }, () => db.query('SELECT count(*) FROM generate_series(1, 200000)').then(() => done++));
    setTimeout(() => (timerRanAfter = done), 0);
    await Promise.all(queue);
    expect(timerRanAfter).toBeGreaterThanOrEqual(0);
    expect(timerRanAfter).toBeLessThan(40);
  });
});

describe('statements prepared once, run many times (PGlite keeps one per distinct text)', () => {
  it('a statement that does not parse fails with its own error and leaves the others working', async () => {
    await expect(db.query('SELEC $1::int AS n', [1])).rejects.toMatchObject({ code: '42601' });
    await expect(db.query('SELEC $1::int AS n', [1])).rejects.toMatchObject({ code: '42601' });
    expect((await db.query<{ n: number }>('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
  });

  it('the same text with other values gives their results, nulls and binary data included', async () => {
    const text = 'SELECT $1::int AS n, $2::text AS t, $3::bytea AS b';
    for (let i = 0; i < 12; i++) {
      const r = await db.query<{ n: number; t: string | null; b: Buffer | null }>(text, [i, i % 2 ? null : `v${i}`, i % 3 ? Buffer.from([i, 0, 255]) : null]);
      expect(r.rows[0]!.n).toBe(i);
      expect(r.rows[0]!.t).toBe(i % 2 ? null : `v${i}`);
      expect(r.rows[0]!.b === null ? null : [...r.rows[0]!.b]).toEqual(i % 3 ? [i, 0, 255] : null);
    }
  });

  it('a refused write keeps its code; the transaction rolls back and the statement runs again after', async () => {
    await db.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, v text)');
    const insert = 'INSERT INTO prepared_probe (id, v) VALUES ($1, $2)';
    await db.query(insert, [1, 'a']);
    await expect(
      withTransaction(db, async (tx) => {
        await tx.query(insert, [2, 'b']);
        await tx.query(insert, [1, 'again']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await db.query(insert, [3, 'c']);
    expect((await db.query<{ id: number }>('SELECT id FROM prepared_probe WHERE id > $1 ORDER BY id', [0])).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('a table altered under a prepared SELECT * returns its new columns', async () => {
    await db.query(`CREATE TABLE altered_probe (id int PRIMARY KEY, v text); INSERT INTO altered_probe VALUES (1, 'a')`);
    const select = 'SELECT * FROM altered_probe WHERE id = $1';
    expect((await db.query(select, [1])).rows).toEqual([{ id: 1, v: 'a' }]);
    await db.query('ALTER TABLE altered_probe ADD COLUMN w int NOT NULL DEFAULT 5');
    expect((await db.query(select, [1])).rows).toEqual([{ id: 1, v: 'a', w: 5 }]);
  });

  it('more distinct statements than are kept all give their results', async () => {
    for (let i = 0; i < 620; i++) {
      const r = await db.query<{ n: number }>(`SELECT $1::int + ${i} AS n`, [1]);
      expect(r.rows[0]!.n).toBe(i + 1);
    }
    expect((await db.query<{ n: number }>('SELECT $1::int + 0 AS n', [1])).rows[0]!.n).toBe(1);
  });
});
