import type { Db, DbClient, Notification } from '../../store/db.js';
import type { Logger } from '../../log.js';
import { CONSOLE_CHANNEL, consoleEventSchema, notifyPayload, type ConsoleEvent } from './consoleEvents.js';

/**
 * This process's end of the console channel: one listening database session, fanned out to the
 * console streams open here, per tenant (a stream only ever sees its own tenant's events). The
 * session is re-opened after a failure (a restarted server) with a growing pause; events missed
 * meanwhile are not replayed — the console re-reads the state when its stream reconnects.
 */
export type ConsoleListener = (event: ConsoleEvent) => void;

export interface EventHub {
  subscribe(tenantId: string, fn: ConsoleListener): () => void;
  /**
   * Publishes events outside any transaction (a live call's dialogue lines), to the console
   * streams of every process. On PostgreSQL, one NOTIFY statement for them all. On PGlite the
   * database belongs to this process alone (its data directory is locked), so they go straight to
   * this process's streams: a statement per line cost the event loop ~0.5 ms even with no console
   * open (2.9 lines a call, bench `pacing`).
   */
  publish(events: readonly ConsoleEvent[]): Promise<void>;
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
    async publish(events) {
      if (events.length === 0) return;
      if (db.kind === 'pglite') {
        // As a notification would arrive: parsed from its payload (a long line cut the same way).
        for (const e of events) dispatch({ channel: CONSOLE_CHANNEL, payload: notifyPayload(e), processId: 0 });
        return;
      }
      await db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS x(p, i) ORDER BY i', [CONSOLE_CHANNEL, events.map(notifyPayload)]);
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
