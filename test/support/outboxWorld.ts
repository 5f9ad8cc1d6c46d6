import { afterEach } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { AppContext } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import type { Db } from '../../src/store/db.js';
import { openTestDatabase } from './db.js';

/**
 * What the outbox worker needs and nothing more: a fresh database with one tenant, a manual clock and
 * a worker id. Each world is closed after its test (call `outboxWorlds()` once at the file's top).
 */
export interface OutboxWorld {
  db: Db;
  clock: ManualClock;
  tenant: string;
  app: AppContext;
}

export function outboxWorlds(): () => Promise<OutboxWorld> {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });
  return async () => {
    const t = await openTestDatabase();
    opened.push(t);
    const clock = new ManualClock('2025-03-04T10:00:00Z');
    const tenant = (await t.db.query<{ id: string }>(`INSERT INTO tenants (id, kind, external_id, name) VALUES (gen_random_uuid(), 'bitrix24', 'm-1', 'p') RETURNING id`)).rows[0]!.id;
    const app = { db: t.db, clock, workerId: 'test-worker', log: createLogger('silent') } as unknown as AppContext;
    return { db: t.db, clock, tenant, app };
  };
}
