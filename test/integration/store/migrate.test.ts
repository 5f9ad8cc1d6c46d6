import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, SchemaTooNewError, schemaVersion } from '../../../src/store/migrate.js';
import { onRealPostgres, openTestDatabase } from '../../support/db.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function db() {
  const d = await openTestDatabase();
  opened.push(d);
  return d.db;
}

describe('migrations', () => {
  it('migrating an up-to-date database twice changes nothing', async () => {
    const d = await db();
    expect((await migrate(d)).applied).toEqual([]);
    expect((await migrate(d)).applied).toEqual([]);
    expect(await schemaVersion(d)).toBe(Math.max(...loadMigrations().map((m) => m.id)));
  });

  // On PGlite one session serves the process (a held client holds it all); on a server, sessions are separate.
  it.skipIf(!onRealPostgres())('a process starting on an up-to-date database does not wait for another holding the migration lock', async () => {
    const d = await db();
    const other = await d.connect();
    try {
      await other.query('SELECT pg_advisory_lock(720261121)');
      const started = migrate(d).then((r) => r.applied);
      expect(await Promise.race([started, new Promise((r) => setTimeout(() => r('waited'), 3000))])).toEqual([]);
    } finally {
      await other.query('SELECT pg_advisory_unlock(720261121)');
      other.release();
    }
  });

  it('two migrators racing on one database apply each migration exactly once', async () => {
    const d = await db();
    // Start from an empty schema in this database to make the race real.
    await d.query('DROP SCHEMA public CASCADE');
    await d.query('CREATE SCHEMA public');
    const [a, b] = await Promise.all([migrate(d), migrate(d)]);
    const all = [...a.applied, ...b.applied].sort();
    expect(all).toEqual(loadMigrations().map((m) => m.name).sort());
    const rows = await d.query<{ n: string }>('SELECT count(*) AS n FROM dozvon_migrations');
    expect(Number(rows.rows[0]!.n)).toBe(loadMigrations().length);
  });

  it('a database newer than this code stops the app with a clear message', async () => {
    const d = await db();
    await d.query(`INSERT INTO dozvon_migrations (id, name) VALUES (9999, '9999_from_the_future')`);
    await expect(migrate(d)).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(migrate(d)).rejects.toThrow(/newer than this Dozvon/);
  });

  it('a failing migration rolls back entirely and names itself', async () => {
    const d = await db();
    const broken = [...loadMigrations(), { id: 9000, name: '9000_broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
    await expect(migrate(d, broken)).rejects.toThrow(/9000_broken/);
    const t = await d.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(t.rows).toHaveLength(0);
    expect(await schemaVersion(d)).toBeLessThan(9000);
  });
});
