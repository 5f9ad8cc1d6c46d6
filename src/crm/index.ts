import type Router from '@koa/router';
import type { AppContext } from '../context.js';
import type { OutboxHandler } from '../engine/outbox/outboxWorker.js';
import type { DozvonState } from '../http/state.js';
import type { OutboxChannel } from '../store/repositories/outbox.js';

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

export async function installCrmAdapters(_app: AppContext): Promise<CrmAdapters> {
  return { routers: [], outboxHandlers: {}, enabled: [], stop: async () => undefined };
}
