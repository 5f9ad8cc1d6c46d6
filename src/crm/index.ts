import type Router from '@koa/router';
import type { AppContext } from '../context.js';
import type { OutboxHandler } from '../engine/outbox/outboxWorker.js';
import { bitrix24Router } from '../http/bitrix24/index.js';
import type { DozvonState } from '../http/state.js';
import type { OutboxChannel } from '../store/repositories/outbox.js';
import { installBitrix24 } from './bitrix24/index.js';

/**
 * The CRM adapters (src/crm/bitrix24, src/crm/amocrm) plug into the app here: their HTTP routers,
 * their outbox handlers (the only way they write to a CRM), and the engine hooks they register on
 * `app.hooks`. An adapter whose settings are missing mounts nothing.
 */
export interface CrmAdapters {
  routers: Router<DozvonState>[];
  outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>>;
  /** What /health reports as switched on. */
  enabled: string[];
  stop(): Promise<void>;
}

export async function installCrmAdapters(app: AppContext): Promise<CrmAdapters> {
  const routers: Router<DozvonState>[] = [];
  const outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>> = {};
  const enabled: string[] = [];
  const stops: (() => Promise<void>)[] = [];

  const bitrix24 = installBitrix24(app);
  if (bitrix24) {
    routers.push(bitrix24Router(bitrix24.b24));
    outboxHandlers.bitrix24 = bitrix24.outboxHandler;
    enabled.push('bitrix24');
    stops.push(() => bitrix24.stop());
  }

  return {
    routers,
    outboxHandlers,
    enabled,
    async stop() {
      for (const s of stops) await s();
    },
  };
}
