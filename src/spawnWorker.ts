import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker thread whose module sits next to the caller (`name` without extension, e.g.
 * './parseWorker'; `from` is the caller's import.meta.url). From source (tsx, vitest) the module is
 * TypeScript and the thread registers tsx first — a worker does not inherit the parent's loader;
 * a build runs the compiled .js directly.
 */
export function spawnWorker(from: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = from.endsWith('.ts');
  const entry = new URL(`${name}.${fromSource ? 'ts' : 'js'}`, from);
  if (!fromSource) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(boot, { ...options, eval: true });
}
