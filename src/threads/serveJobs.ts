import { parentPort } from 'node:worker_threads';

/** A job's answer, as it crosses back from the thread (see JobThread). */
export type JobReply<Result> = { id: number; result: Result } | { id: number; error: string; code?: string };

/** What a job handler gives back: its result, and which of the result's buffers move rather than copy. */
export interface Done<Result> {
  result: Result;
  transfer?: ArrayBuffer[];
}

/**
 * The thread's side of JobThread: each message is one job, answered by its id. A handler's error
 * becomes the job's failure, with the error's string `code` when it has one; the thread goes on.
 */
export function serveJobs<Job, Result>(handle: (job: Job) => Done<Result> | Promise<Done<Result>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread');
  port.on('message', ({ id, job }: { id: number; job: Job }) => {
    void (async (): Promise<void> => {
      let reply: JobReply<Result>;
      let transfer: ArrayBuffer[] = [];
      try {
        const done = await handle(job);
        reply = { id, result: done.result };
        transfer = done.transfer ?? [];
      } catch (e) {
        const code = (e as { code?: unknown } | undefined)?.code;
        reply = { id, error: e instanceof Error ? e.message : String(e), ...(typeof code === 'string' ? { code } : {}) };
      }
      port.postMessage(reply, transfer);
    })();
  });
}
