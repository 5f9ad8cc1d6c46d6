import pg from 'pg';
import { runChaos } from '../test/support/chaos/chaosRun.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../test/support/chaos/throwawayPostgres.js';
import { print } from './support/server.js';

/**
 * `npm run bench -- chaos`: the chaos run (test/support/chaos/chaosRun.ts) at full size — three
 * Dozvon processes on one PostgreSQL, one SIGKILLed every 10 s, a portal answering 10 % 5xx and
 * bursts of 503/429, every voice callback delivered three times. On DATABASE_URL when set,
 * otherwise on a throwaway PostgreSQL cluster started for the run.
 *   chaos_writes_lost, chaos_writes_doubled, chaos_calls_doubled (all must be 0)
 */
export async function benchChaos(): Promise<void> {
  let own: ThrowawayPostgres | undefined;
  const server = process.env.DATABASE_URL ?? (own = await startThrowawayPostgres()).url;
  const name = `dozvon_chaos_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  try {
    const r = await runChaos({
      databaseUrl: url.toString(),
      processes: 3,
      deals: Number(process.env.CHAOS_DEALS ?? 60),
      killEveryMs: 10_000,
      log: (line) => process.stderr.write(`chaos: ${line}\n`),
    });
    for (const p of r.problems) process.stderr.write(`chaos problem: ${p}\n`);
    print('chaos_workflows', r.workflows, 'runs');
    print('chaos_attempts', r.attempts, 'calls');
    print('chaos_kills', r.kills, 'SIGKILLs');
    print('chaos_portal_5xx', r.portalErrors, 'responses');
    print('chaos_portal_503_429', r.portalRefusals, 'responses');
    print('chaos_seconds', r.seconds, 's');
    print('chaos_writes_lost', r.writesLost, 'writes');
    print('chaos_writes_doubled', r.writesDoubled, 'writes');
    print('chaos_calls_doubled', r.callsDoubled, 'calls');
  } finally {
    if (own) own.stop();
    else {
      const drop = new pg.Client({ connectionString: server });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    }
  }
}
