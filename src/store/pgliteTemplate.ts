import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { appRoot } from '../appFiles.js';
import { loadMigrations, migrate, type Migration } from './migrate.js';
import { pgliteDistDir } from './pgliteModule.js';
import { PGlitePool } from './pglitePool.js';

/**
 * A new embedded database, made once at build time instead of at every first start. On PGlite a
 * first start ran `initdb` inside WebAssembly and then every migration: 4.5–5.3 s and 0.3–0.6 s on
 * the 2-core bench machine, against 0.8–1.2 s to unpack the same cluster from a 5 MB tarball. The
 * build (`npm start`, `npm run build`) makes that tarball; a first start on an empty data
 * directory unpacks it. It holds the schema only — no tenant, key or secret: every installation
 * made from it is as new as one made by initdb.
 *
 * The tarball is named after what it was made from — this PGlite's version and every migration's
 * name and text — so a first start uses it only when both are still the same; anything else (a
 * new migration not yet built, another PGlite) starts with initdb as before.
 */
export const TEMPLATE_DIR = path.join(appRoot, 'node_modules', '.cache', 'dozvon');

/**
 * Part of the name: raised by hand when how the tarball is made changes in a way the migrations do
 * not show (migrate's own bookkeeping table, the options the builder opens PGlite with).
 */
const TEMPLATE_FORMAT = 1;

/** A half-written tarball older than this belongs to a build that was stopped, not to one running now. */
const ABANDONED_AFTER_MS = 10 * 60_000;

function pgliteVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(pgliteDistDir(), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The name of the tarball made from this PGlite and these migrations. */
export function templateFile(migrations: Migration[] = loadMigrations(), dir = TEMPLATE_DIR): string {
  const h = createHash('sha256').update(`format ${TEMPLATE_FORMAT}\npglite ${pgliteVersion()}\n`);
  for (const m of migrations) h.update(`${m.name}\n${m.sql}\n`);
  return path.join(dir, `pglite-${h.digest('hex').slice(0, 16)}.tar.gz`);
}

/** The build's new database for the current code, or undefined (none built, or made from other code). */
export function builtPgliteTemplate(dir = TEMPLATE_DIR): Blob | undefined {
  try {
    return new Blob([fs.readFileSync(templateFile(loadMigrations(), dir))], { type: 'application/x-gzip' });
  } catch {
    return undefined;
  }
}

/**
 * Makes the tarball for the current code unless it exists; tarballs made from older code go. Written
 * under a temporary name and renamed, so a build stopped half-way leaves nothing a start would use.
 */
export async function buildPgliteTemplate(dir = TEMPLATE_DIR): Promise<{ file: string; built: boolean }> {
  const migrations = loadMigrations();
  const file = templateFile(migrations, dir);
  if (fs.existsSync(file)) return { file, built: false };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-template-'));
  try {
    const tarball = await migratedPgliteTarball(path.join(work, 'pg'), 'gzip', migrations);
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
    fs.renameSync(partial, file);
    for (const name of fs.readdirSync(dir)) {
      const other = path.join(dir, name);
      const older = /^pglite-[0-9a-f]{16}\.tar\.gz$/.test(name) && other !== file;
      const abandoned = /^pglite-[0-9a-f]{16}\.tar\.gz\.\d+\.partial$/.test(name) && Date.now() - fs.statSync(other).mtimeMs > ABANDONED_AFTER_MS;
      if (older || abandoned) fs.rmSync(other, { force: true });
    }
    return { file, built: true };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A new PGlite database in `dataDir` (initdb), migrated, packed as a data-directory tarball: the
 * build's template (gzip, 5 MB) and the test suite's (plain tar, unpacked by every test file).
 */
export async function migratedPgliteTarball(dataDir: string, compression: 'gzip' | 'none', migrations: Migration[] = loadMigrations()): Promise<Blob> {
  const pglite = await PGlite.create({ dataDir });
  try {
    await migrate(new PGlitePool(pglite), migrations);
    return await pglite.dumpDataDir(compression);
  } finally {
    await pglite.close();
  }
}
