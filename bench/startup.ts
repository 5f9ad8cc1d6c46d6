import fs from 'node:fs';
import path from 'node:path';
import { databaseEnv, freshDatabaseUrl } from './support/database.js';
import { firstTouchMicrosPerPage } from './support/machine.js';
import { minorPageFaults, print, processCpuMs, startDozvonProcess, tempDir } from './support/server.js';

/**
 * Start-up time to healthy: first start (a new database: initdb on PGlite, every migration) and
 * restart on the same data. Wall time depends on the machine's load; the CPU time the process used
 * until it answered /health does much less, so both are printed.
 */
/** Whether the code cache of the current build is saved (waiting up to `ms` for the server to save it). */
async function codeCacheSaved(ms: number): Promise<boolean> {
  // The launcher's helper (plain JavaScript, as scripts/start.mjs runs before any build).
  const { codeCacheFile } = (await import(path.resolve('scripts/codeCache.mjs'))) as { codeCacheFile(file: string): string };
  const bundle = path.join('dist', 'main.cjs');
  const deadline = Date.now() + ms;
  for (;;) {
    if (fs.existsSync(codeCacheFile(bundle))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchStartup(): Promise<void> {
  const dataDir = tempDir('startup');
  const env = databaseEnv(await freshDatabaseUrl('startup'));
  // Started as `npm start` starts it; a compile left over from an earlier run is reused, as on a server.
  const compiled = true;
  try {
    const first = await startDozvonProcess({ dataDir, env, compiled });
    const firstCpu = processCpuMs(first.child.pid!);
    const firstFaults = minorPageFaults(first.child.pid!);
    // A server that ran a few seconds has saved what its start compiled (scripts/codeCache.mjs): the
    // restart reads it, as a real one would.
    const cacheSaved = await codeCacheSaved(10_000);
    await first.stop();
    const restart = await startDozvonProcess({ dataDir, env, compiled });
    const restartCpu = processCpuMs(restart.child.pid!);
    const restartFaults = minorPageFaults(restart.child.pid!);
    await restart.stop();
    const perPage = firstTouchMicrosPerPage();
    print('startup_first_to_healthy', Math.round(first.msToHealthy), 'ms');
    print('startup_restart_to_healthy', Math.round(restart.msToHealthy), 'ms');
    print('startup_first_cpu', firstCpu, 'ms');
    print('startup_restart_cpu', restartCpu, 'ms');
    print('startup_restart_vs_first', restart.msToHealthy / first.msToHealthy, 'ratio');
    print('startup_restart_code_cache', cacheSaved ? 1 : 0, 'bool');
    // Memory touched for the first time costs the kernel a page fault per page: on PGlite a restart
    // touches ~300 MB (PostgreSQL's shared memory, zeroed at every start, among it). The machine's
    // price per page, measured right after the starts, shows how much of each start that is.
    print('startup_first_page_faults', firstFaults, 'pages');
    print('startup_restart_page_faults', restartFaults, 'pages');
    print('startup_first_touch_us_per_page', perPage, 'us');
    print('startup_first_page_fault_share', (firstFaults * perPage) / 1000 / first.msToHealthy, 'ratio');
    print('startup_restart_page_fault_share', (restartFaults * perPage) / 1000 / restart.msToHealthy, 'ratio');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
