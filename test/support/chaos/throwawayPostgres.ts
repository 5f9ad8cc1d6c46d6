import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../dozvonProcess.js';

/**
 * A PostgreSQL cluster of its own for a bench run, the way .ci/with-postgres makes one: Debian's
 * server binaries, initdb into a temp dir, pg_ctl start — as the postgres user when run as root.
 */
export interface ThrowawayPostgres {
  url: string;
  stop(): void;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const root = '/usr/lib/postgresql';
  const version = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(a) - Number(b)).pop() : undefined;
  if (!version) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql), or set DATABASE_URL');
  const bin = path.join(root, version, 'bin');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-pg-'));
  fs.chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const run = (cmd: string) => (asRoot ? execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'ignore' }) : execFileSync('sh', ['-c', cmd], { stdio: 'ignore' }));
  const port = await freePort();
  run(`${bin}/initdb -D ${dir}/data -U postgres --auth=trust -E UTF8`);
  const ctl = `${bin}/pg_ctl -D ${dir}/data -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' -l ${dir}/log -w`;
  run(`${ctl} start`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run(`${ctl} stop -m immediate`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
