import fs from 'node:fs';
import { databaseEnv, freshDatabaseUrl } from './support/database.js';
import { print, processCpuMs, startDozvonProcess, tempDir } from './support/server.js';

/**
 * Start-up time to healthy: first start (a new database: initdb on PGlite, every migration) and
 * restart on the same data. Wall time depends on the machine's load; the CPU time the process used
 * until it answered /health does much less, so both are printed.
 */
export async function benchStartup(): Promise<void> {
  const dataDir = tempDir('startup');
  const env = databaseEnv(await freshDatabaseUrl('startup'));
  // Started as `npm start` starts it; a compile left over from an earlier run is reused, as on a server.
  const compiled = true;
  try {
    const first = await startDozvonProcess({ dataDir, env, compiled });
    const firstCpu = processCpuMs(first.child.pid!);
    await first.stop();
    const restart = await startDozvonProcess({ dataDir, env, compiled });
    const restartCpu = processCpuMs(restart.child.pid!);
    await restart.stop();
    print('startup_first_to_healthy', Math.round(first.msToHealthy), 'ms');
    print('startup_restart_to_healthy', Math.round(restart.msToHealthy), 'ms');
    print('startup_first_cpu', firstCpu, 'ms');
    print('startup_restart_cpu', restartCpu, 'ms');
    print('startup_restart_vs_first', restart.msToHealthy / first.msToHealthy, 'ratio');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
