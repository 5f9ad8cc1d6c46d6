import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';

/**
 * Where a bench keeps its data. Without DATABASE_URL every Dozvon process a bench starts uses
 * PGlite in its own data directory. With DATABASE_URL (`npm run bench -- pg`, or a server of your
 * own) each bench gets a fresh database on that server, so runs never see each other's rows.
 */
export const onPostgres = Boolean(process.env.DATABASE_URL);

/** A new, empty database on the DATABASE_URL server, or undefined on PGlite. */
export async function freshDatabaseUrl(label: string): Promise<string | undefined> {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `bench_${label.replace(/\W/g, '_')}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Environment for a Dozvon process of this bench: its database (when on PostgreSQL) and nothing else. */
export function databaseEnv(url: string | undefined): Record<string, string> {
  return url ? { DATABASE_URL: url } : {};
}

/**
 * CPU time (ms) used so far by the PostgreSQL server of DATABASE_URL — its postmaster and every
 * backend — when it runs on this machine (found by its `-p <port>` on the command line, as
 * `.ci/with-postgres` starts it); undefined for a server elsewhere.
 */
export function postgresCpuMs(): number | undefined {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const port = new URL(base).port || '5432';
  const stat = (pid: string) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const postmaster = pids.find((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmd.some((a) => a.endsWith('/postgres')) && cmd.includes('-p') && cmd[cmd.indexOf('-p') + 1] === port;
    } catch {
      return false; // the process ended while we looked
    }
  });
  if (!postmaster) return undefined;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = stat(pid);
      if (pid === postmaster || f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks * 10;
}
