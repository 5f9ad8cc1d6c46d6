import fs from 'node:fs';
import { print, startDozvonProcess, tempDir } from './support/server.js';

/** Start-up time to healthy on PGlite: first start (initdb + migrations) and restart on the same data directory. */
export async function benchStartup(): Promise<void> {
  const dataDir = tempDir('startup');
  try {
    const first = await startDozvonProcess({ dataDir });
    await first.stop();
    const restart = await startDozvonProcess({ dataDir });
    await restart.stop();
    print('startup_first_to_healthy', Math.round(first.msToHealthy), 'ms');
    print('startup_restart_to_healthy', Math.round(restart.msToHealthy), 'ms');
    print('startup_restart_vs_first', restart.msToHealthy / first.msToHealthy, 'ratio');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
