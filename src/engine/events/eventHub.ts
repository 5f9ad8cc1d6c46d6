import type { Db, DbClient, Notification } from '../../store/db.js';
import type { Logger } from '../../log.js';
import { CONSOLE_CHANNEL, consoleEventSchema, type ConsoleEvent } from './consoleEvents.js';

/**
 * This process's end of the console channel: one listening database session, fanned out to the
 * console streams open here, per tenant (a stream only ever sees its own tenant's events). The
 * session is re-opened after a failure (a restarted server) with a growing pause; events missed
 * meanwhile are not replayed — the console re-reads the state when its stream reconnects.
 */
export type ConsoleListener = (event: ConsoleEvent) => void;

export interface EventHub {
  subscribe(tenantId: string, fn: ConsoleListener): () => void;
  /** Streams open in this process (for tests and /health-like views). */
  size(): number;
  stop(): Promise<void>;
}

export async function startEventHub(db: Db, log: Logger): Promise<EventHub> {
  const byTenant = new Map<string, Set<ConsoleListener>>();
  let client: DbClient | undefined;
  let stopped = false;
  let retryMs = 500;
  let retryTimer: NodeJS.Timeout | undefined;

  const dispatch = (n: Notification): void => {
    if (n.channel !== CONSOLE_CHANNEL || !n.payload) return;
    let event: ConsoleEvent;
    try {
      const parsed = consoleEventSchema.safeParse(JSON.parse(n.payload));
      if (!parsed.success) return;
      event = parsed.data;
    } catch {
      return; // not ours to understand: another writer on the channel
    }
    for (const fn of byTenant.get(event.tenantId) ?? []) {
      try {
        fn(event);
      } catch (err) {
        log.warn({ err }, 'console event listener failed');
      }
    }
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    try {
      const c = await db.connect();
      c.on('notification', dispatch);
      c.on('error', (err) => {
        log.warn({ err }, 'console events: the listening session failed; reconnecting');
        if (client === c) client = undefined;
        try {
          c.release(err);
        } catch {
          // already gone
        }
        schedule();
      });
      await c.query(`LISTEN ${CONSOLE_CHANNEL}`);
      client = c;
      retryMs = 500;
    } catch (err) {
      log.warn({ err }, 'console events: could not listen; retrying');
      schedule();
    }
  };
  const schedule = (): void => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  };

  await connect();
  return {
    subscribe(tenantId, fn) {
      let set = byTenant.get(tenantId);
      if (!set) byTenant.set(tenantId, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0) byTenant.delete(tenantId);
      };
    },
    size: () => [...byTenant.values()].reduce((n, s) => n + s.size, 0),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      if (!c) return;
      try {
        await c.query(`UNLISTEN ${CONSOLE_CHANNEL}`);
      } catch (err) {
        log.debug({ err }, 'console events: UNLISTEN failed while stopping');
      } finally {
        c.release();
      }
    },
  };
}
