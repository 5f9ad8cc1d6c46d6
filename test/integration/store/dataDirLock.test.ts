import { afterAll, describe, expect, it } from 'vitest';
import { startDozvonProcess, type DozvonProcess } from '../../support/dozvonProcess.js';
import { onRealPostgres, tmpDir } from '../../support/db.js';

/** The embedded database can be opened by one process: a second one must refuse, clearly. */
const started: DozvonProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.kill();
});

const env = { DATABASE_URL: '', WORKERS: 'false', SANDBOX_TTS: 'generated' };

describe.skipIf(onRealPostgres())('the PGlite data directory lock (skipped on a real PostgreSQL: DATA_DIR holds no database there)', () => {
  it('a second process on the same DATA_DIR refuses with a clear message; after a crash the directory is usable again', async () => {
    const dataDir = tmpDir('lock');
    const first = await startDozvonProcess({ dataDir, env });
    started.push(first);
    const second = startDozvonProcess({ dataDir, env });
    await expect(second).rejects.toThrow(/Another Dozvon process \(pid \d+\) is already using the data directory/);
    await expect(second).rejects.toThrow(/DATABASE_URL/);
    await first.kill();
    const third = await startDozvonProcess({ dataDir, env });
    started.push(third);
    await third.stop();
    expect(third.child.exitCode).toBe(0);
  }, 90_000);
});
