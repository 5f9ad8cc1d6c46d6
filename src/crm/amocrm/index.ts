import type { OutboxHandler } from '../../engine/outbox/outboxWorker.js';
import { createAmoContext, type AmoContext } from './amoContext.js';
import type { AmoConfig } from './config.js';
import { amocrmScheduledJobs, type ScheduledCrmJob } from './maintenance.js';
import { amocrmOutboxHandler } from './outboxHandler.js';
import type { AmoPorts } from './ports.js';
import { attemptWritebackHook, pipelineCampaignHook } from './writeback/hooks.js';
import { InstallRunner } from './oauth/installRunner.js';

/**
 * The amoCRM / Kommo adapter (C4–C7). Switched on by `AMOCRM_CLIENT_ID` + `AMOCRM_CLIENT_SECRET`
 * (and/or `KOMMO_CLIENT_ID` + `KOMMO_CLIENT_SECRET`); without them nothing is mounted and no hook
 * is registered. Its HTTP side is `src/http/amocrm/`.
 */
export interface AmocrmAdapter {
  ctx: AmoContext;
  installs: InstallRunner;
  outboxHandler: OutboxHandler;
  scheduled: ScheduledCrmJob[];
  stop(): Promise<void>;
}

export function installAmocrm(ports: AmoPorts, cfg: AmoConfig): AmocrmAdapter {
  const ctx = createAmoContext(ports, cfg);
  ports.hooks.attemptCompleted(attemptWritebackHook(ctx));
  ports.hooks.contactFinished(pipelineCampaignHook(ctx));
  // After the completion commits, the write-back it queued is there to be taken.
  ports.hooks.afterAttemptCompleted(() => ports.wake.outbox());
  const installs = new InstallRunner(ctx);
  return {
    ctx,
    installs,
    outboxHandler: amocrmOutboxHandler(ctx),
    scheduled: amocrmScheduledJobs(ctx),
    async stop() {
      await installs.idle();
      ctx.gateway.stop();
    },
  };
}
