import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is waiting for a statement. On PGlite every statement of the process shares one session,
 * so under load the order decides who waits: first the callee on the line (a voice platform's
 * request for the bot's next step, an answering-machine verdict — the callee hears every
 * millisecond as silence), then anyone waiting on an answer (a platform's or CRM's callback with
 * its deadline, a person in the console, an API client), then the work nobody waits on
 * (recording downloads, CRM write-backs, sweeps). On a PostgreSQL server, with a pool of
 * sessions, nothing changes.
 */
export const ON_THE_LINE = 0;
export const AWAITED = 1;
export const BACKGROUND = 2;
export type DbPriority = typeof ON_THE_LINE | typeof AWAITED | typeof BACKGROUND;

const priority = new AsyncLocalStorage<DbPriority>();

export function withPriority<T>(level: DbPriority, fn: () => Promise<T>): Promise<T> {
  return priority.run(level, fn);
}

export function currentPriority(): DbPriority {
  return priority.getStore() ?? BACKGROUND;
}
