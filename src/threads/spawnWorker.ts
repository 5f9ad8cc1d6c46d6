import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { appRoot, runningFromSource, sourcePath } from '../appFiles.js';

/**
 * Starts a worker thread from its module's path under src/ without extension (e.g.
 * 'voice/audio/mp3Worker'). From source (tsx, vitest) that is the TypeScript file and the thread
 * registers tsx first — a worker does not inherit the parent's loader; `npm start` runs the entry
 * the build wrote for it under dist/ (scripts/buildServer.mjs lists the workers).
 */
export function spawnWorker(name: string, options: WorkerOptions = {}): Worker {
  if (!runningFromSource) return new Worker(pathToFileURL(path.join(appRoot, 'dist', `${name}.js`)), options);
  const entry = pathToFileURL(sourcePath(`${name}.ts`));
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(boot, { ...options, eval: true });
}
