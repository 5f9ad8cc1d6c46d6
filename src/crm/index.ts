import type { AppContext } from '../context.js';
import type { OutboxHandler } from '../engine/outbox/outboxWorker.js';
import type { OutboxChannel } from '../store/repositories/outbox.js';
import type { B24Context } from './bitrix24/b24Context.js';
import { installBitrix24 } from './bitrix24/index.js';

/**
 * The CRM adapters (src/crm/bitrix24, src/crm/amocrm) plug into the app here: their outbox
 * handlers (the only way they write to a CRM) and the engine hooks they register on `app.hooks`.
 * Their HTTP side lives in src/http/<crm>/ and is mounted by main.ts from the contexts returned
 * here. An adapter whose settings are missing is absent.
 */
export interface CrmAdapters {
  /** The running Bitrix24 adapter, for its HTTP routes. */
  bitrix24: B24Context | undefined;
  outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>>;
  /** What /health reports as switched on. */
  enabled: string[];
  stop(): Promise<void>;
}

export async function installCrmAdapters(app: AppContext): Promise<CrmAdapters> {
  const outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>> = {};
  const enabled: string[] = [];
  const stops: (() => Promise<void>)[] = [];

  const bitrix24 = installBitrix24(app);
  if (bitrix24) {
    outboxHandlers.bitrix24 = bitrix24.outboxHandler;
    enabled.push('bitrix24');
    stops.push(() => bitrix24.stop());
  }

  return {
    bitrix24: bitrix24?.b24,
    outboxHandlers,
    enabled,
    async stop() {
      for (const s of stops) await s();
    },
  };
}
