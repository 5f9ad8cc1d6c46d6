import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../../src/engine/events/consoleEvents.js';
import { startEventHub, type EventHub } from '../../../src/engine/events/eventHub.js';
import { createLogger } from '../../../src/log.js';
import { newId } from '../../../src/store/ids.js';
import { onRealPostgres, openTestDatabase } from '../../support/db.js';

/**
 * A live call's dialogue lines reach the console streams of the caller's tenant, in order, and no
 * one else's: on PGlite straight to this process's streams (the database is this process's alone),
 * on PostgreSQL through NOTIFY to every process's (run again by CI's PostgreSQL step).
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hubOn(open: Awaited<ReturnType<typeof openTestDatabase>>): Promise<EventHub> {
  const hub = await startEventHub(open.db, createLogger('silent'));
  cleanups.push(() => hub.stop());
  return hub;
}

function collect(hub: EventHub, tenantId: string): ConsoleEvent[] {
  const seen: ConsoleEvent[] = [];
  const off = hub.subscribe(tenantId, (e) => seen.push(e));
  cleanups.push(async () => off());
  return seen;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('live dialogue lines', () => {
  it("reach the tenant's streams in order, cut when long, and no other tenant's", async () => {
    const open = await openTestDatabase();
    cleanups.push(open.close);
    const hub = await hubOn(open);
    const mine = newId();
    const other = newId();
    const seen = collect(hub, mine);
    const theirs = collect(hub, other);
    const attemptId = newId();
    const line = (who: 'bot' | 'callee', text: string, atMs: number): ConsoleEvent => ({ type: 'transcript', tenantId: mine, attemptId, who, text, atMs });

    await hub.publish([line('callee', 'Да, удобно', 4200), line('bot', 'Отлично! Записываю вас на завтра.', 4200), line('bot', 'x'.repeat(5000), 4200)]);
    await until(() => seen.length >= 3);

    expect(seen.map((e) => (e.type === 'transcript' ? [e.who, e.text.slice(0, 12)] : []))).toEqual([
      ['callee', 'Да, удобно'],
      ['bot', 'Отлично! Зап'],
      ['bot', 'xxxxxxxxxxxx'],
    ]);
    const long = seen[2]!;
    expect(long.type === 'transcript' && long.text).toBe(`${'x'.repeat(2000)}…`);
    expect(theirs).toEqual([]);
  });

  it.skipIf(!onRealPostgres())('reach the streams of another process sharing the PostgreSQL database', async () => {
    const open = await openTestDatabase();
    cleanups.push(open.close);
    const here = await hubOn(open);
    const elsewhere = await hubOn(open);
    const tenantId = newId();
    const seen = collect(elsewhere, tenantId);
    await here.publish([
      { type: 'transcript', tenantId, attemptId: newId(), who: 'bot', text: 'Здравствуйте!', atMs: 0 },
      { type: 'transcript', tenantId, attemptId: newId(), who: 'callee', text: 'Алло', atMs: 900 },
    ]);
    await until(() => seen.length >= 2);
    expect(seen.map((e) => e.type === 'transcript' && e.text)).toEqual(['Здравствуйте!', 'Алло']);
  });
});
