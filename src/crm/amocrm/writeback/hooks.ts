import type { AttemptCompletedHook, ContactFinishedHook } from '../../../context.js';
import { findCampaignById, setCampaignStatus } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import type { AmoContext } from '../amoContext.js';
import { isCurrentPipelineCampaign } from '../dp/pipelineCampaign.js';
import { readContactRef } from '../intake/contactRef.js';
import { enqueueAmo, leadPartition } from '../jobs.js';

/**
 * Engine hooks, inside the engine's transaction, so nothing is lost with the outcome:
 * - a call to an amoCRM lead finished → queue its write-back (the lead's partition keeps its
 *   calls in order);
 * - a contact finished → retire a replaced pipeline campaign once nothing is left open in it.
 */
export function attemptWritebackHook(ctx: AmoContext): AttemptCompletedHook {
  return async (tx, attempt) => {
    if (attempt.kind !== 'campaign' || !attempt.contactId || !attempt.placed) return;
    const row = await tx.query<{ crm: Record<string, unknown> | null }>('SELECT crm FROM campaign_contacts WHERE id = $1', [attempt.contactId]);
    const ref = readContactRef(row.rows[0]?.crm);
    if (!ref) return;
    await enqueueAmo(ctx, tx, {
      tenantId: attempt.tenantId,
      kind: 'attempt.writeback',
      key: `amo:attempt:${attempt.id}`,
      partition: leadPartition(attempt.tenantId, ref.leadId),
      payload: { attemptId: attempt.id, leadId: ref.leadId },
    });
  };
}

export function pipelineCampaignHook(ctx: AmoContext): ContactFinishedHook {
  return async (tx, f) => {
    if (!readContactRef(f.crm)) return;
    const campaign = await findCampaignById(tx, f.campaignId);
    const pipeline = campaign?.source.kind === 'amocrm' && campaign.source.trigger === 'pipeline';
    if (pipeline && campaign.status !== 'completed' && !(await isCurrentPipelineCampaign(tx, campaign.id)) && (await countOpenNumbers(tx, campaign.id)) === 0) {
      await setCampaignStatus(tx, campaign.id, { status: 'completed', reason: 'all_done', now: ctx.clock.now() });
    }
  };
}
