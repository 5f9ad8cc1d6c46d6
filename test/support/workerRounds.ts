import type { RunningDozvon } from '../../src/main.js';

/**
 * Whole worker rounds that began after the call, for "nothing happens now" checks: a fixed sleep
 * proves nothing on a loaded machine (the worker may not have looked yet) and wastes time on an idle
 * one. A round already under way may have read the clock before the test moved it, so it is awaited
 * first and a second one is run — or joined, if the worker's own loop began it, which it then did
 * after the first had ended.
 */
export async function freshDispatcherRound(dozvon: RunningDozvon): Promise<number> {
  const d = dozvon.workers.dispatcher;
  if (!d) throw new Error('this process runs no dispatcher (WORKERS=false)');
  await d.tick();
  return d.tick();
}

/** The same for the outbox (CRM writes, webhooks, robot answers): a delivery round begun after the call. */
export async function freshOutboxRound(dozvon: RunningDozvon): Promise<number> {
  const o = dozvon.workers.outbox;
  if (!o) throw new Error('this process runs no outbox worker (WORKERS=false)');
  await o.runOnce();
  return o.runOnce();
}

/** Both: what the dispatcher starts and what the outbox then sends have run. */
export async function freshWorkerRounds(dozvon: RunningDozvon): Promise<void> {
  await freshDispatcherRound(dozvon);
  await freshOutboxRound(dozvon);
}
