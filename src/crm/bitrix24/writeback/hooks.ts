import type { AppContext, AttemptCompletedHook, ContactFinishedHook } from '../../../context.js';
import { setCampaignStatus, findCampaignById } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import { readContactRef } from '../intake/contactRef.js';
import { documentPartition, enqueueB24 } from '../jobs.js';
import { isCurrentRobotCampaign } from '../store/robots.js';

/**
 * Engine hooks, both inside the engine's transaction, so nothing is lost with the outcome:
 *
 * - a call to a Bitrix24 contact finished → queue its timeline write-back. Registered *before*
 *   the campaign bookkeeping hook, so when that hook finishes the contact, the robot return it
 *   queues lands behind this write-back in the document's partition;
 * - a contact finished (every number done, redials included) → queue the robot's return values,
 *   and retire a replaced robot campaign once nothing is left open in it.
 */
export function attemptWritebackHook(app: AppContext): AttemptCompletedHook {
  return async (tx, attempt) => {
    if (attempt.kind !== 'campaign' || !attempt.contactId || !attempt.placed) return;
    const row = await tx.query<{ crm: Record<string, unknown> | null }>('SELECT crm FROM campaign_contacts WHERE id = $1', [attempt.contactId]);
    const ref = readContactRef(row.rows[0]?.crm);
    if (!ref) return;
    await enqueueB24(app, tx, {
      tenantId: attempt.tenantId,
      kind: 'attempt.writeback',
      key: `b24:attempt:${attempt.id}`,
      partition: documentPartition(attempt.tenantId, ref.document),
      payload: { attemptId: attempt.id, document: ref.document },
    });
  };
}

export function robotReturnHook(app: AppContext): ContactFinishedHook {
  return async (tx, f) => {
    const ref = readContactRef(f.crm);
    if (!ref) return;
    if (ref.runId) {
      await enqueueB24(app, tx, {
        tenantId: f.tenantId,
        kind: 'robot.return',
        key: `b24:robot.return:${ref.runId}`,
        partition: documentPartition(f.tenantId, ref.document),
        payload: { runId: ref.runId, contactId: f.contactId, status: f.status },
      });
    }
    const campaign = await findCampaignById(tx, f.campaignId);
    const robotCampaign = campaign?.source.kind === 'bitrix24' && campaign.source.trigger === 'robot';
    if (robotCampaign && campaign.status !== 'completed' && !(await isCurrentRobotCampaign(tx, campaign.id)) && (await countOpenNumbers(tx, campaign.id)) === 0) {
      await setCampaignStatus(tx, campaign.id, { status: 'completed', reason: 'all_done', now: app.clock.now() });
    }
  };
}
