import { lockDataDir } from '../../src/store/dataDirLock.js';

/**
 * A process that takes the data-directory lock and holds it until it is killed (lock tests).
 * Prints one JSON line per event: {"event":"locked"}, {"event":"refused","message":…},
 * {"event":"compromised"}. Usage: node --import tsx test/support/holdDataDirLock.ts <dir> [staleMs]
 */
const [dir, stale] = process.argv.slice(2);
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
try {
  await lockDataDir(dir!, { staleMs: stale ? Number(stale) : undefined, onCompromised: () => say({ event: 'compromised' }) });
  say({ event: 'locked', pid: process.pid });
  setInterval(() => undefined, 60_000);
} catch (e) {
  say({ event: 'refused', message: (e as Error).message });
  process.exitCode = 3;
}
