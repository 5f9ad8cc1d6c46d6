import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { onRealPostgres, tmpDir } from '../../support/db.js';

/** The embedded database can be opened by one process: a second one must refuse, clearly. */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startProcess(dataDir: string): { child: ChildProcess; output: () => string; exited: Promise<number | null>; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: '', WORKERS: 'false', SANDBOX_TTS: 'generated' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes('Dozvon is running')) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(check);
      reject(new Error(`exited before ready: ${out}`));
    });
  });
  ready.catch(() => undefined);
  return { child, output: () => out, exited, ready };
}

describe.skipIf(onRealPostgres())('the PGlite data directory lock (skipped on a real PostgreSQL: DATA_DIR holds no database there)', () => {
  it('a second process on the same DATA_DIR refuses with a clear message; after a crash the directory is usable again', async () => {
    const dir = tmpDir('lock');
    const first = startProcess(dir);
    await first.ready;
    const second = startProcess(dir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another Dozvon process \(pid \d+\) is already using the data directory/);
    expect(second.output()).toContain('DATABASE_URL');
    first.child.kill('SIGKILL');
    await first.exited;
    const third = startProcess(dir);
    await third.ready;
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 60_000);
});
