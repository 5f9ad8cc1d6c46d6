import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startDozvon } from '../../../src/main.js';
import { secureDataDir, secureDataDirTop, secureDataDirTree } from '../../../src/store/dataDirPermissions.js';
import { openDatabase } from '../../../src/store/openDatabase.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { freshDatabaseEnv, pgliteTemplate, tmpDir } from '../../support/db.js';

/**
 * $DATA_DIR holds the database, recordings, the master key and the setup code: after a start,
 * nothing in it is readable or writable by group or others, and an install made before this
 * version (files 0666, directories 0777) is tightened on start and the change is logged.
 */

/** Every entry under `dir` (not following links) whose mode lets group or others in, with that mode. */
function looseEntries(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) out.push(`${path.relative(dir, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
  };
  visit(dir);
  return out;
}

function loosen(dir: string): number {
  let n = 0;
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.isDirectory() ? 0o777 : 0o666);
    n++;
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
  };
  visit(dir);
  return n;
}

/** A file (and its folders) with exactly this mode, whatever the umask. */
function fileWithMode(file: string, mode: number, content = 'x'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.stop();
});

describe('permissions of the data directory', () => {
  it('after a start and a call with a recording, nothing under DATA_DIR is open to group or others', async () => {
    const t = await startTestApp();
    apps.push(t);
    const templates = await t.api<{ templates: { id: string }[] }>('GET', '/templates');
    const placed = await t.api<{ id: string }>('POST', '/test-calls', { templateId: templates.body.templates[0]!.id, phone: '+7 900 000-00-04', variables: { name: 'Anna' } });
    const done = await t.api<{ status: string; recordingUrl: string | null }>('GET', `/attempts/${placed.body.id}?wait=60`);
    expect(done.body.status).toBe('completed');
    expect(done.body.recordingUrl).toBeTruthy();
    const dataDir = t.env.DATA_DIR!;
    // The call wrote the sandbox's audio and the stored recording under DATA_DIR.
    expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining(['secret.key', 'media', 'sandbox']));
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    // PGlite writes some of its files 0644 whatever the umask; the walk after the start finds them.
    await expect.poll(() => looseEntries(dataDir), { timeout: 15_000 }).toEqual([]);
  });

  it('an install with files 0666 and directories 0777 is tightened on start, and the log says what changed', async () => {
    const dbEnv = await freshDatabaseEnv();
    const env = { PORT: '0', SANDBOX_TTS: 'generated', WORKERS: 'false', ...dbEnv };
    const first = await startDozvon(env, { pgliteTemplate: pgliteTemplate(), log: pino({ level: 'silent' }) });
    await first.stop();
    // A recording below the top level, as a server that placed calls has (on PostgreSQL, too).
    fs.mkdirSync(path.join(dbEnv.DATA_DIR, 'media', 'old'), { recursive: true });
    fs.writeFileSync(path.join(dbEnv.DATA_DIR, 'media', 'old', 'rec.wav'), 'x');
    const loosened = loosen(dbEnv.DATA_DIR);
    expect(looseEntries(dbEnv.DATA_DIR).length).toBe(loosened);

    const { log, lines } = capturingLogger();
    const second = await startDozvon(env, { log });
    try {
      // The directory and its own files at once: nobody else can reach anything below it any more.
      const tightened = () => lines.filter((l) => String(l.msg).startsWith('data directory: tightened permissions'));
      expect(tightened()).toHaveLength(1);
      expect(tightened()[0]).toMatchObject({ level: 40 });
      expect(tightened()[0]!.examples).toEqual(expect.arrayContaining(['. 777', 'secret.key 666']));
      expect((fs.statSync(dbEnv.DATA_DIR).mode & 0o777).toString(8)).toBe('700');
      // Everything below it once the server runs, reported the same way.
      await expect.poll(() => tightened().length, { timeout: 15_000 }).toBe(2);
      expect(looseEntries(dbEnv.DATA_DIR)).toEqual([]);
      expect(Number(tightened()[0]!.changed) + Number(tightened()[1]!.changed)).toBe(loosened);
      expect(tightened()[1]).toMatchObject({ level: 40 });
      expect(tightened()[1]!.examples).toEqual(expect.arrayContaining([`${path.join('media', 'old', 'rec.wav')} 666`]));
    } finally {
      await second.stop();
      fs.rmSync(dbEnv.DATA_DIR, { recursive: true, force: true });
    }
  });

  it('the embedded database opened without the server (npm run cli -- migrate / unblock) leaves nothing open either', async () => {
    // PGlite gives the files of a new cluster mode 0666 whatever the umask: opening it must tighten them.
    const dataDir = tmpDir('perm-cli');
    const { db, close } = await openDatabase({ databaseUrl: undefined, dataDir, pgliteTemplate: pgliteTemplate() });
    try {
      await db.query('SELECT 1');
      expect(looseEntries(dataDir)).toEqual([]);
    } finally {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the walk below the top level runs off the event loop, leaves links alone and stops when asked', async () => {
    const dir = tmpDir('perm-tree');
    const outside = tmpDir('perm-tree-outside');
    fileWithMode(path.join(outside, 'shared.txt'), 0o644);
    fileWithMode(path.join(dir, 'media', 'a', 'rec.wav'), 0o664);
    fileWithMode(path.join(dir, 'top.txt'), 0o644);
    fs.symlinkSync(path.join(outside, 'shared.txt'), path.join(dir, 'media', 'link.txt'));
    const stopped = new AbortController();
    stopped.abort();
    expect((await secureDataDirTree(dir, stopped.signal)).changed).toBe(0);
    const r = await secureDataDirTree(dir);
    expect(r).toEqual({ changed: 1, examples: ['media/a/rec.wav 664'], failed: [] });
    // The top level is secureDataDirTop's.
    expect((fs.statSync(path.join(dir, 'top.txt')).mode & 0o777).toString(8)).toBe('644');
    expect(secureDataDirTop(dir).examples).toEqual(['top.txt 644']);
    expect(looseEntries(dir)).toEqual([]);
    expect((fs.statSync(path.join(outside, 'shared.txt')).mode & 0o777).toString(8)).toBe('644');
  });

  it('secureDataDir leaves links and their targets alone and reports what it could not change', () => {
    const dir = tmpDir('perm-unit');
    const outside = tmpDir('perm-outside');
    fileWithMode(path.join(outside, 'shared.txt'), 0o644);
    fileWithMode(path.join(dir, 'media', 'a', 'rec.wav'), 0o664);
    fileWithMode(path.join(dir, 'tool.sh'), 0o755, '#!/bin/sh\n');
    fs.symlinkSync(path.join(outside, 'shared.txt'), path.join(dir, 'link.txt'));
    const r = secureDataDir(dir);
    expect(r.failed).toEqual([]);
    expect(r.examples).toEqual(expect.arrayContaining(['media/a/rec.wav 664', 'tool.sh 755']));
    expect(looseEntries(dir)).toEqual([]);
    // The owner's execute bit stays; the link's target outside is untouched.
    expect((fs.statSync(path.join(dir, 'tool.sh')).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(path.join(outside, 'shared.txt')).mode & 0o777).toString(8)).toBe('644');
    expect(secureDataDir(dir).changed).toBe(0);
  });
});
