import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * PGlite does not lock its data directory: two processes would open it silently and diverge.
 * We hold `$DATA_DIR/dozvon.lock` (pid + host) for the life of the process; a second process finds
 * a live owner and refuses with a clear message. A lock left by a killed process (its pid is gone)
 * is taken over, so a restart after a crash just works.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `Another Dozvon process (pid ${ownerPid}) is already using the data directory ${dataDir}. ` +
        'The embedded database (PGlite) can be opened by one process only. Stop the other process, ' +
        'choose another DATA_DIR, or set DATABASE_URL to a PostgreSQL server to run several processes.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'dozvon.lock');
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return {
        release() {
          try {
            const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
            if (cur.pid === process.pid) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: { pid?: number; host?: string } = {};
    try {
      owner = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof owner;
    } catch {
      // unreadable or half-written lock: treat as stale
    }
    const samehost = !owner.host || owner.host === os.hostname();
    if (owner.pid && (!samehost || owner.pid === process.pid || isAlive(owner.pid))) {
      throw new DataDirLockedError(dataDir, owner.pid);
    }
    // stale: its process is gone
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}`);
}
