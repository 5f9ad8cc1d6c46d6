import type { AppContext } from '../../context.js';
import type { OutboxHandler } from '../../engine/outbox/outboxWorker.js';
import { createB24Context, type B24Context } from './b24Context.js';
import { bitrix24OutboxHandler } from './outboxHandler.js';
import { robotSyncHook } from './robots/templateHook.js';
import { attemptWritebackHook, robotReturnHook } from './writeback/hooks.js';

/**
 * The Bitrix24 adapter (C1–C7). Switched on by `B24_CLIENT_ID` + `B24_CLIENT_SECRET`; without them
 * nothing is mounted and no hook is registered. Its HTTP side is `src/http/bitrix24/`.
 */
export interface Bitrix24Adapter {
  b24: B24Context;
  outboxHandler: OutboxHandler;
  stop(): Promise<void>;
}

const running = new WeakMap<AppContext, B24Context>();

export function installBitrix24(app: AppContext): Bitrix24Adapter | undefined {
  const { clientId, clientSecret } = app.config.bitrix24;
  if (!clientId || !clientSecret) return undefined;
  const b24 = createB24Context(app, { clientId, clientSecret });
  // First: the write-back of a call is queued before the bookkeeping that may finish its contact
  // and queue the robot's return, so the return follows the timeline entry (see writeback/hooks.ts).
  app.hooks.attemptCompleted.unshift(attemptWritebackHook(app));
  app.hooks.contactFinished.push(robotReturnHook(app));
  // After the completion commits, the write-back and return it queued are there to be taken.
  app.hooks.afterAttemptCompleted.push(() => app.wake.outbox());
  app.hooks.templateChanged.push(robotSyncHook(app));
  running.set(app, b24);
  return {
    b24,
    outboxHandler: bitrix24OutboxHandler(b24),
    async stop() {
      b24.gateway.stop();
      running.delete(app);
    },
  };
}

/** The running adapter's context (tests and the bench read its request counters). */
export function bitrix24Of(app: AppContext): B24Context | undefined {
  return running.get(app);
}
