import type { Transferable, Worker } from 'node:worker_threads';
import { spawnWorker } from './spawnWorker.js';
import type { JobReply } from './serveJobs.js';

/**
 * A worker thread that takes jobs one message each and answers each by its id (the other side is
 * `serveJobs`). Started by the first job, kept while jobs keep coming (never keeping the process
 * alive while idle), ended after a minute without one. A thread that fails fails the jobs it had;
 * the next job starts a new thread.
 */
export interface JobThreadOptions {
  /** The worker's module under src/, without extension (see spawnWorker). */
  name: string;
  workerData?: unknown;
  /** The error a job's failure becomes on this side (its message and the code the thread gave). */
  failure(message: string, code: string | undefined): Error;
}

const IDLE_MS = 60_000;

export class JobThread<Job extends object, Result> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: JobThreadOptions) {}

  /** Runs `job` in the thread; what `transfer` lists moves there and is unusable here afterwards. */
  run(job: Job, transfer: readonly Transferable[] = []): Promise<Result> {
    const worker = this.worker ?? this.start();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job }, transfer);
    });
  }

  private start(): Worker {
    const worker = spawnWorker(this.o.name, this.o.workerData === undefined ? {} : { workerData: this.o.workerData });
    worker.on('message', (reply: JobReply<Result>) => this.settle(reply));
    worker.on('error', (e: Error) => this.fail(worker, e));
    worker.on('exit', (code) => this.fail(worker, new Error(`the ${this.o.name} thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: JobReply<Result>): void {
    const job = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if ('result' in reply) job?.resolve(reply.result);
    else job?.reject(this.o.failure(reply.error, reply.code));
    if (this.pending.size === 0) this.idle();
  }

  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS).unref();
  }

  private fail(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    for (const job of this.pending.values()) job.reject(e);
    this.pending.clear();
    void worker.terminate();
  }
}
