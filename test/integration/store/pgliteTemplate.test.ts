import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, schemaVersion } from '../../../src/store/migrate.js';
import { openDatabase } from '../../../src/store/openDatabase.js';
import { buildPgliteTemplate, builtPgliteTemplate, templateFile } from '../../../src/store/pgliteTemplate.js';
import { onRealPostgres, tmpDir } from '../../support/db.js';

/**
 * A first start unpacks the new database the build made instead of running initdb and every
 * migration — and only a database made from this very code: another migration set (or PGlite)
 * means initdb, as before.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
/** The tarball the second test makes, for the last one to damage. */
let madeFile: string | undefined;
const dir = (prefix: string) => {
  const d = tmpDir(prefix);
  dirs.push(d);
  return d;
};

describe.skipIf(onRealPostgres())('the new embedded database made at build time (skipped on a real PostgreSQL)', () => {
  it('is named after the migrations it holds: a changed or added migration names another', () => {
    const migrations = loadMigrations();
    const changed = migrations.map((m, i) => (i === migrations.length - 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    const added = [...migrations, { id: 9999, name: '9999_later', sql: 'SELECT 1;' }];
    const names = new Set([templateFile(migrations, '/t'), templateFile(changed, '/t'), templateFile(added, '/t')]);
    expect(names.size).toBe(3);
    expect(templateFile(migrations, '/t')).toBe(templateFile(loadMigrations(), '/t'));
  });

  it('is made once, replaces older ones, and a first start opened from it is fully migrated', async () => {
    const cache = dir('template-cache-');
    expect(builtPgliteTemplate(cache)).toBeUndefined();
    fs.writeFileSync(path.join(cache, 'pglite-0000000000000000.tar.gz'), 'made by older code');

    const made = await buildPgliteTemplate(cache);
    madeFile = made.file;
    expect(made.built).toBe(true);
    expect(fs.readdirSync(cache)).toEqual([path.basename(made.file)]);
    expect(await buildPgliteTemplate(cache)).toEqual({ file: made.file, built: false });

    const dataDir = dir('template-start-');
    const how: string[] = [];
    const { db, close } = await openDatabase({ databaseUrl: undefined, dataDir, pgliteTemplate: () => builtPgliteTemplate(cache), onCreated: (h) => how.push(h) });
    try {
      expect(how).toEqual(['template']);
      expect(await migrate(db)).toEqual({ applied: [] });
      expect(await schemaVersion(db)).toBe(Math.max(...loadMigrations().map((m) => m.id)));
      // A working database, not a read-only copy: a tenant can be created and read back.
      await db.query(`INSERT INTO tenants (id, kind, external_id, name) VALUES (gen_random_uuid(), 'console', 'template-test', 'T')`);
      expect((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tenants`)).rows[0]!.n).toBe('1');
    } finally {
      await close();
    }

    // Reopened, it is simply opened: the template is not asked again.
    let asked = 0;
    const again = await openDatabase({ databaseUrl: undefined, dataDir, pgliteTemplate: () => (asked++, undefined), onCreated: (h) => how.push(h) });
    await again.close();
    expect(asked).toBe(0);
    expect(how).toEqual(['template']);
  });

  it('an empty directory without a template for this code is created by initdb', async () => {
    const how: string[] = [];
    const { close } = await openDatabase({ databaseUrl: undefined, dataDir: dir('template-none-'), pgliteTemplate: () => builtPgliteTemplate(dir('template-empty-cache-')), onCreated: (h) => how.push(h) });
    await close();
    expect(how).toEqual(['initdb']);
  });

  it('a template that unpacks but does not start (its control file missing) leaves nothing behind: the directory is made by initdb', async () => {
    expect(madeFile).toBeDefined();
    const damaged = new Blob([zlib.gzipSync(withoutEntry(zlib.gunzipSync(fs.readFileSync(madeFile!)), 'global/pg_control'))], { type: 'application/x-gzip' });
    for (const template of [damaged, new Blob([Buffer.from('not a tarball at all')])]) {
      const how: string[] = [];
      const dataDir = dir('template-damaged-');
      const { db, close } = await openDatabase({ databaseUrl: undefined, dataDir, pgliteTemplate: template, onCreated: (h) => how.push(h) });
      try {
        expect(how).toEqual(['initdb']);
        // initdb's database, not the template's remains: no migration has run in it.
        expect(await migrate(db)).toEqual({ applied: loadMigrations().map((m) => m.name) });
      } finally {
        await close();
      }
    }
  });
});

/** A tar archive without the entry whose name ends with `name` (512-byte headers, contents padded to 512). */
function withoutEntry(tar: Buffer, name: string): Buffer {
  const kept: Buffer[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) {
      kept.push(tar.subarray(at));
      break;
    }
    const entry = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const end = at + 512 + Math.ceil(size / 512) * 512;
    if (!entry.endsWith(name)) kept.push(tar.subarray(at, end));
    at = end;
  }
  return Buffer.concat(kept);
}
