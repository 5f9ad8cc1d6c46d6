import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import os from 'node:os';
import { inject, type ProvidedContext } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openDatabase } from '../../src/store/openDatabase.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tmpRoot: string;
    pgliteTemplateFile?: string;
    pgTemplateUrl?: string;
  }
}

/**
 * What the global setup provided; outside vitest (the benches reuse these helpers) there is no
 * migrated template: databases start empty and are migrated on start, in the system's temp dir.
 */
function provided<K extends 'tmpRoot' | 'pgliteTemplateFile' | 'pgTemplateUrl'>(key: K): ProvidedContext[K] | undefined {
  try {
    return inject(key);
  } catch {
    return undefined;
  }
}

/** Which database the suite runs on: PGlite by default, a real server when DATABASE_URL is set. */
export const onRealPostgres = (): boolean => Boolean(provided('pgTemplateUrl'));

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(provided('tmpRoot') ?? os.tmpdir(), `dozvon-${prefix}-`));
}

export function pgliteTemplate(): Blob | undefined {
  const file = provided('pgliteTemplateFile');
  return file ? new Blob([fs.readFileSync(file)]) : undefined;
}

/** A fresh, migrated database for one test file: a copy of the template (PGlite dir or server database). */
export async function freshDatabaseEnv(): Promise<{ DATA_DIR: string; DATABASE_URL?: string }> {
  const dataDir = tmpDir('data');
  const tplUrl = provided('pgTemplateUrl');
  if (!tplUrl) return { DATA_DIR: dataDir };
  const name = `dozvon_t_${crypto.randomBytes(6).toString('hex')}`;
  // Connect to the maintenance database: the template must have no sessions while it is copied.
  const maintenance = new URL(tplUrl);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  try {
    // Two test files cloning at the same moment can collide ("source database is being accessed").
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE dozvon_test_template`);
        break;
      } catch (e) {
        if (attempt >= 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const u = new URL(tplUrl);
  u.pathname = `/${name}`;
  return { DATA_DIR: dataDir, DATABASE_URL: u.toString() };
}

export async function openTestDatabase(): Promise<{ db: Db; env: { DATA_DIR: string; DATABASE_URL?: string }; close(): Promise<void> }> {
  const env = await freshDatabaseEnv();
  const { db, close } = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, pgliteTemplate: pgliteTemplate() });
  return { db, env, close };
}
