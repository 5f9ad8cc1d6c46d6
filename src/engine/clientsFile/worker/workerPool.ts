import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../../threads/spawnWorker.js';

/**
 * The worker threads that parse clients files. At most `maxWorkers` files are parsed at once
 * (more wait their turn, so ten uploads cannot take ten cores and ten heaps); each worker's heap
 * is capped (a hostile file exhausts its own worker, never the server); an idle worker is kept for
 * a while so back-to-back imports skip the start-up, and never keeps the process alive.
 */
export interface ClientsFileWorkerSettings {
  /** Files parsed at the same time. */
  maxWorkers: number;
  /** Heap of one parsing worker, MB. */
  maxMemoryMb: number;
}

const IDLE_MS = 30_000;

let settings: ClientsFileWorkerSettings = { maxWorkers: 2, maxMemoryMb: 512 };
const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
const waiting: ((w: Worker) => void)[] = [];
let busy = 0;

export function configureWorkers(s: Partial<ClientsFileWorkerSettings>): void {
  settings = { ...settings, ...s };
  // Idle workers were started with the old limits: the next file gets a new one.
  for (const e of idle.splice(0)) {
    clearTimeout(e.timer);
    void e.worker.terminate();
  }
}

export function workerSettings(): ClientsFileWorkerSettings {
  return settings;
}

function spawn(): Worker {
  const worker = spawnWorker('engine/clientsFile/worker/parseWorker', {
    // A parser's garbage is short-lived rows: a 16 MB young generation collects them as fast as 64 MB
    // did and keeps 50 MB less resident (bench `import` on PostgreSQL, 1,000,000 rows: peak RSS
    // 369 → 318 MB, 14,606 → 15,632 rows/s).
    resourceLimits: { maxOldGenerationSizeMb: settings.maxMemoryMb, maxYoungGenerationSizeMb: 16 },
  });
  // A job listens to its worker's errors itself; this keeps a failure between jobs (an idle
  // worker) from being an unheard 'error' event. Such a worker is dropped from the idle list.
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    const i = idle.findIndex((e) => e.worker === worker);
    if (i >= 0) {
      clearTimeout(idle[i]!.timer);
      idle.splice(i, 1);
    }
  });
  return worker;
}

/** A worker for one file: an idle one, a new one if below the limit, or the next one freed. */
export function acquireWorker(): Promise<Worker> {
  busy++;
  const ready = idle.pop();
  if (ready) {
    clearTimeout(ready.timer);
    ready.worker.ref();
    return Promise.resolve(ready.worker);
  }
  if (busy <= settings.maxWorkers) return Promise.resolve(spawn());
  return new Promise((resolve) => waiting.push(resolve));
}

/**
 * Gives a worker back after its file: `reusable` when the job ended cleanly (it is then handed to
 * the next file waiting, or kept idle); otherwise it is terminated and, if a file waits, replaced.
 */
export function releaseWorker(worker: Worker, reusable: boolean): void {
  busy--;
  const next = waiting.shift();
  if (!reusable) {
    // A worker ended in the middle of a job (closed early, crashed): its state is not to be trusted.
    void worker.terminate();
    if (next) {
      busy++;
      next(spawn());
    }
    return;
  }
  if (next) {
    busy++;
    next(worker);
    return;
  }
  worker.unref();
  const entry = {
    worker,
    timer: setTimeout(() => {
      const i = idle.indexOf(entry);
      if (i >= 0) idle.splice(i, 1);
      void worker.terminate();
    }, IDLE_MS).unref(),
  };
  idle.push(entry);
}
