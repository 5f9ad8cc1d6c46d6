import type { AppContext, AttemptCompletedHook, ContactFinishedHook } from '../../../context.js';
import { setCampaignStatus, findCampaignById } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import { readContactRef } from '../intake/contactRef.js';
import { parseDocument } from '../intake/crmRecords.js';
import { attemptWritebackKey, documentPartition, enqueueB24, queueRobotReturn, robotQueuedKey, writebackPending } from '../jobs.js';
import { isCurrentRobotCampaign } from '../store/robots.js';
import { awaitingWriteback } from './returnToRobot.js';

/**
 * Engine hooks, both inside the engine's transaction, so nothing is lost with the outcome:
 *
 * - a call to a Bitrix24 contact finished → queue its timeline write-back. Registered *before*
 *   the campaign bookkeeping hook, so when that hook finishes the contact, the triggers it queues
 *   land behind this write-back in the document's partition. A robot run whose template answers
 *   after the first call gets its answer brought forward; its "queued" line is dropped;
 * - a contact finished (every number done, redials included) → the robot's answer is due now (if
 *   the workflow still waits for one; behind the document's call write-back when one is queued),
 *   the app triggers are queued for the deal or lead, and a replaced robot campaign is retired once
 *   nothing is left open in it.
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
      key: attemptWritebackKey(attempt.id),
      partition: documentPartition(attempt.tenantId, ref.document),
      payload: { attemptId: attempt.id, document: ref.document },
    });
    if (ref.runId) {
      // One statement: the run's answer mode — and its "queued" line, not due yet, is not needed any
      // more (this call's own line follows): done now rather than claimed a minute later for nothing.
      const run = await tx.query<{ return_mode: string; status: string }>(
        `WITH called AS (UPDATE outbox SET status = 'done', done_at = $3 WHERE idempotency_key = $2 AND status = 'pending' AND locked_by IS NULL)
         SELECT return_mode, status FROM b24_robot_runs WHERE id = $1`,
        [ref.runId, robotQueuedKey(ref.runId), app.clock.now()],
      );
      const r = run.rows[0];
      if (r?.return_mode === 'first_attempt' && r.status === 'calling') {
        await queueRobotReturn(app, tx, { tenantId: attempt.tenantId, runId: ref.runId, ...awaitingWriteback(app.clock.now()), payload: { runId: ref.runId, contactId: attempt.contactId } });
      }
    }
  };
}

export function robotReturnHook(app: AppContext): ContactFinishedHook {
  return async (tx, f) => {
    const ref = readContactRef(f.crm);
    if (!ref) return;
    if (ref.runId) {
      const now = app.clock.now();
      const due = (await writebackPending(tx, f.tenantId, ref.document)) ? awaitingWriteback(now) : { at: now };
      await queueRobotReturn(app, tx, { tenantId: f.tenantId, runId: ref.runId, ...due, payload: { runId: ref.runId, contactId: f.contactId } });
    }
    const doc = parseDocument(ref.document);
    if (doc && doc.entity !== 'contact' && f.status !== 'cancelled') {
      await enqueueB24(app, tx, {
        tenantId: f.tenantId,
        kind: 'trigger.fire',
        key: `b24:trigger:${f.contactId}`,
        partition: documentPartition(f.tenantId, ref.document),
        payload: { contactId: f.contactId, document: ref.document, status: f.status },
      });
    }
    const campaign = await findCampaignById(tx, f.campaignId);
    const robotCampaign = campaign?.source.kind === 'bitrix24' && campaign.source.trigger === 'robot';
    if (robotCampaign && campaign.status !== 'completed' && !(await isCurrentRobotCampaign(tx, campaign.id)) && (await countOpenNumbers(tx, campaign.id)) === 0) {
      await setCampaignStatus(tx, campaign.id, { status: 'completed', reason: 'all_done', now: app.clock.now() });
    }
  };
}
