import type { AppContext } from '../context.js';
import type { OutboxHandler } from '../engine/outbox/outboxWorker.js';
import { seedStarter } from '../engine/seedStarter.js';
import type { OutboxChannel } from '../store/repositories/outbox.js';
import type { B24Context } from './bitrix24/b24Context.js';
import { installBitrix24 } from './bitrix24/index.js';
import { amoConfigOf } from './amocrm/config.js';
import { installAmocrm, type AmocrmAdapter } from './amocrm/index.js';
import type { ScheduledCrmJob } from './amocrm/maintenance.js';
import { campaignPort } from './enginePorts.js';
import { recordingLink } from './shared/recordingLink.js';

/**
 * The CRM adapters (src/crm/bitrix24, src/crm/amocrm) plug into the app here: their outbox
 * handlers (the only way they write to a CRM), the engine hooks they register on `app.hooks` and
 * the scheduled jobs they need. Their HTTP side lives in src/http/<crm>/ and is mounted by main.ts
 * from what is returned here. An adapter whose settings are missing is absent.
 */
export interface CrmAdapters {
  /** The running Bitrix24 adapter, for its HTTP routes. */
  bitrix24: B24Context | undefined;
  /** The running amoCRM adapter, for its HTTP routes. */
  amocrm: AmocrmAdapter | undefined;
  outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>>;
  /** Recurring jobs for agenda (src/engine/jobs/scheduledJobs.ts). */
  scheduled: ScheduledCrmJob[];
  /** What /health reports as switched on. */
  enabled: string[];
  stop(): Promise<void>;
}

const running = new WeakMap<AppContext, AmocrmAdapter>();

export async function installCrmAdapters(app: AppContext): Promise<CrmAdapters> {
  const outboxHandlers: Partial<Record<OutboxChannel, OutboxHandler>> = {};
  const enabled: string[] = [];
  const scheduled: ScheduledCrmJob[] = [];
  const stops: (() => Promise<void>)[] = [];

  const bitrix24 = installBitrix24(app);
  if (bitrix24) {
    outboxHandlers.bitrix24 = bitrix24.outboxHandler;
    enabled.push('bitrix24');
    stops.push(() => bitrix24.stop());
  }

  const amoCfg = amoConfigOf(app.config, () => app.publicUrl());
  const amocrm = amoCfg
    ? installAmocrm(
        {
          db: app.db,
          log: app.log.child({ crm: 'amocrm' }),
          clock: app.clock,
          http: app.outbound,
          tokenKey: app.keys.tokenEncryption,
          publicUrl: () => app.publicUrl(),
          workerId: app.workerId,
          campaigns: campaignPort(app, 'amocrm'),
          seedStarter: async (tenantId, locale) => void (await seedStarter(app, tenantId, locale)),
          recordingLink: (a, ttlMs) => recordingLink(app, a, ttlMs ?? null),
          wake: app.wake,
          hooks: {
            attemptCompleted: (h) => app.hooks.attemptCompleted.push(h),
            contactFinished: (h) => app.hooks.contactFinished.push(h),
            afterAttemptCompleted: (h) => app.hooks.afterAttemptCompleted.push(h),
          },
        },
        amoCfg,
      )
    : undefined;
  if (amocrm) {
    outboxHandlers.amocrm = amocrm.outboxHandler;
    scheduled.push(...amocrm.scheduled);
    enabled.push('amocrm');
    running.set(app, amocrm);
    stops.push(async () => {
      await amocrm.stop();
      running.delete(app);
    });
  }

  return {
    bitrix24: bitrix24?.b24,
    amocrm,
    outboxHandlers,
    scheduled,
    enabled,
    async stop() {
      for (const s of stops) await s();
    },
  };
}

/** The running amoCRM adapter (tests and the bench read its request counters). */
export function amocrmOf(app: AppContext): AmocrmAdapter | undefined {
  return running.get(app);
}
