import type { PauseReason } from '../core/campaign.js';
import type { AppContext } from '../context.js';
import { addContacts } from '../engine/campaigns/addContacts.js';
import { analyzeCampaignTables } from '../engine/campaigns/analyze.js';
import { cancelOpenNumbers } from '../engine/campaigns/cancelNumbers.js';
import { autoPause, createCampaign, resumeCampaign } from '../engine/campaigns/lifecycle.js';
import { notifyCampaignStatus } from '../engine/campaigns/notifyStatus.js';
import { loadRuntime } from '../engine/campaigns/runtime.js';
import { findCampaignById, setCampaignStatus } from '../store/repositories/campaigns.js';
import type { CampaignPort } from './amocrm/ports.js';

/**
 * The engine use-cases a CRM adapter may trigger, bound to the app once (src/crm/index.ts), so the
 * adapter works through this narrow port instead of holding the whole application context.
 */
export function campaignPort(app: AppContext, crm: 'amocrm'): CampaignPort {
  return {
    create: (tx, tenantId, input, trigger) => createCampaign(app, tenantId, null, input, { kind: crm, trigger }, tx),
    addContacts: async (tx, campaign, contacts) => addContacts(app, tx, await loadRuntime(tx, campaign), contacts),
    async pauseAll(tx, tenantId, reason: PauseReason, detail) {
      const open = await tx.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 AND status IN ('running', 'scheduled') AND deleted_at IS NULL`, [tenantId]);
      for (const c of open.rows) await autoPause(app, tx, c.id, reason, detail);
      return open.rows.length;
    },
    async resumeAll(tenantId, reason) {
      const paused = await app.db.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 AND status = 'paused' AND status_reason = $2 AND deleted_at IS NULL`, [tenantId, reason]);
      for (const c of paused.rows) {
        // One campaign that cannot resume (its template was deleted meanwhile) must not keep the others paused.
        await resumeCampaign(app, tenantId, c.id).catch((e: unknown) => app.log.warn({ tenantId, campaignId: c.id, err: e }, 'crm: resume after the cause was gone failed'));
      }
    },
    async completeAll(tx, tenantId, reason) {
      const now = app.clock.now();
      const open = await tx.query<{ id: string }>(`SELECT id FROM campaigns WHERE tenant_id = $1 AND status <> 'completed' AND deleted_at IS NULL FOR UPDATE`, [tenantId]);
      for (const row of open.rows) {
        const done = await setCampaignStatus(tx, row.id, { status: 'completed', reason, now });
        await cancelOpenNumbers(app, tx, done);
        await notifyCampaignStatus(app, tx, (await findCampaignById(tx, row.id))!, 'completed');
      }
      return open.rows.length;
    },
    analyze: () => analyzeCampaignTables(app.db),
  };
}
