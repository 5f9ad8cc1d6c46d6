import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work someone is waiting on the line for: a voice platform's request for the bot's next step
 * (Twilio gives it 15 s, and the callee hears every millisecond as silence). On PGlite, where
 * every statement of the process shares one session, such work's statements go ahead of the
 * background queue (recordings, outbox, dispatcher, statistics); on a PostgreSQL server, with a
 * pool of sessions, nothing changes.
 */
const urgent = new AsyncLocalStorage<true>();

export function asUrgent<T>(fn: () => Promise<T>): Promise<T> {
  return urgent.run(true, fn);
}

export function isUrgent(): boolean {
  return urgent.getStore() === true;
}
