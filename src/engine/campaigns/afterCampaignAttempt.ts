import { afterTechnicalError, nextAfterCall, type NextStep } from '../../core/nextAttempt.js';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import type { Attempt } from '../../store/repositories/attempts.js';
import { setCampaignStatus } from '../../store/repositories/campaigns.js';
import { enqueue } from '../../store/repositories/outbox.js';
import { countOpenNumbers, lockNumber } from '../../store/repositories/numbers.js';
import { chargeCall } from './budget.js';
import { finishContactIfDone } from './finishContact.js';
import { autoPause } from './lifecycle.js';
import { notifyCampaignStatus } from './notifyStatus.js';
import { loadCompletionRuntime } from './runtime.js';

/**
 * Runs inside the transaction that completes a campaign attempt: decides what happens to the
 * number (call again and when, or a final status), closes the contact's other numbers after a
 * success, finishes the contact, queues the outcome webhooks, charges the minute budget and
 * completes the campaign when "complete when done" is on. All or nothing with the outcome itself.
 */
export async function afterCampaignAttempt(app: AppContext, tx: Queryable, attempt: Attempt): Promise<void> {
  if (attempt.kind !== 'campaign' || !attempt.numberId || !attempt.campaignId) return;
  const number = await lockNumber(tx, attempt.numberId);
  // A stale completion (the lease was already recovered and the number moved on) changes nothing.
  if (!number || number.status !== 'dialing' || number.currentAttemptId !== attempt.id) return;
  const rt = (await loadCompletionRuntime(tx, attempt.campaignId))!;
  const { campaign } = rt;
  const now = app.clock.now();

  // Granted a slot but never dialled (the worker stopped, the slot was missed): back in the queue,
  // nothing counted, and no trace of a call that never happened.
  if (!attempt.placed && !attempt.technical) {
    const plan = rt.planner.plan(number.zoneKey, now);
    await tx.query(
      `UPDATE campaign_numbers SET status = CASE WHEN attempts_made = 0 THEN 'new' ELSE 'callback' END, updated_at = $2,
         current_attempt_id = NULL, locked_by = NULL, locked_until = NULL, ready_at = $2, next_attempt_at = $3, due_until = $4
       WHERE id = $1`,
      [number.id, now, plan.nextAttemptAt, plan.dueUntil],
    );
    await tx.query('DELETE FROM attempts WHERE id = $1', [attempt.id]);
    return;
  }

  let left = Infinity;
  if (attempt.placed) {
    const cost = attempt.cost !== null && attempt.costCurrency ? { amount: attempt.cost, currency: attempt.costCurrency } : null;
    left = await chargeCall(tx, campaign.tenantId, attempt.durationSec ?? 0, now, cost);
  }
  // A placed call cut by the platform (not by us) is a technical loss, not the callee's answer.
  const lost = attempt.outcome === 'cancelled' && !number.cancelRequested;

  const answeredCalls = number.answeredCalls + (attempt.outcome === 'human' ? 1 : 0);
  let step: NextStep;
  let attemptsMade = number.attemptsMade;
  let techErrors = 0;
  if ((attempt.technical && !attempt.consumed) || lost) {
    const t = afterTechnicalError(number.techErrors, attempt.endedAt ?? now);
    techErrors = t.techErrors;
    step = { kind: 'again', readyAt: t.readyAt, why: 'attempts', redialCounts: number.redialCounts };
  } else {
    attemptsMade += 1;
    step = nextAfterCall(
      campaign.settings,
      rt.rules,
      { attemptsMade, answeredCalls, redialCounts: number.redialCounts, techErrors: number.techErrors },
      {
        outcome: attempt.outcome ?? 'failed',
        startedAt: attempt.dialedAt ?? attempt.createdAt,
        answeredAt: attempt.answeredAt,
        endedAt: attempt.endedAt ?? now,
        talkSec: attempt.talkSec ?? 0,
        scenarioRedialMinutes: attempt.scenarioRedialMinutes,
      },
    );
  }
  // Nothing more for a cancelled number or a campaign that has ended.
  const ended = campaign.status === 'completed' || campaign.deletedAt !== null;
  if (step.kind === 'again' && (number.cancelRequested || ended)) {
    step = { kind: 'stop', status: attempt.outcome === 'human' ? 'answered' : 'not_answered', reached: attempt.outcome === 'human' };
  }

  const common = [number.id, now, attemptsMade, answeredCalls, attempt.id, attempt.outcome];
  if (step.kind === 'again') {
    const plan = rt.planner.plan(number.zoneKey, step.readyAt);
    await tx.query(
      `UPDATE campaign_numbers SET status = 'callback', updated_at = $2, attempts_made = $3, answered_calls = $4,
         last_attempt_id = $5, last_outcome = $6, current_attempt_id = NULL, locked_by = NULL, locked_until = NULL,
         redial_counts = $7, tech_errors = $8, ready_at = $9, next_attempt_at = $10, due_until = $11
       WHERE id = $1`,
      [...common, JSON.stringify(step.redialCounts), techErrors, step.readyAt, plan.nextAttemptAt, plan.dueUntil],
    );
  } else {
    let status: string = number.cancelRequested && !step.reached ? 'cancelled' : step.status;
    // Hung up because another phone of the client succeeded: closed like its queued siblings (V5).
    if (status === 'cancelled' && (await contactReached(tx, number.contactId))) status = 'done';
    await tx.query(
      `UPDATE campaign_numbers SET status = $7, updated_at = $2, attempts_made = $3, answered_calls = $4,
         last_attempt_id = $5, last_outcome = $6, current_attempt_id = NULL, locked_by = NULL, locked_until = NULL, tech_errors = 0
       WHERE id = $1`,
      [...common, status],
    );
    const closed = step.reached ? await closeSiblings(app, tx, number.contactId, number.id) : [];
    // Numbers closed by this success are finished too: the customer hears about each of them.
    for (const id of closed) await queueWebhook(app, tx, campaign.settings.webhookUrl, campaign.tenantId, 'number.finished', id, { numberId: id, campaignId: campaign.id });
    await queueWebhook(app, tx, campaign.settings.webhookUrl, campaign.tenantId, 'number.finished', number.id, { numberId: number.id, campaignId: campaign.id });
    await finishContactIfDone(app, tx, number.contactId);
  }
  if (attempt.placed || attempt.consumed) {
    await queueWebhook(app, tx, campaign.settings.webhookUrl, campaign.tenantId, 'attempt.completed', attempt.id, { attemptId: attempt.id, campaignId: campaign.id });
  }

  if (left <= 0) await pauseTenantForBudget(app, tx, campaign.tenantId);
  if (campaign.settings.completeWhenDone && campaign.status === 'running' && (await countOpenNumbers(tx, campaign.id)) === 0) {
    const done = await setCampaignStatus(tx, campaign.id, { status: 'completed', reason: 'all_done', now });
    await notifyCampaignStatus(app, tx, done, 'completed');
  }
}

/**
 * A success on one number closes the client's other numbers (V5): queued ones at once; a live call
 * is marked, and hung up once this transaction has committed (src/engine/campaigns/hangUpCancelled.ts).
 */
async function closeSiblings(app: AppContext, tx: Queryable, contactId: string, exceptId: string): Promise<string[]> {
  // One statement. The open numbers are locked by the client's key first, and each is then updated
  // by its primary key after what its locked (current) status says: with 'dialing' in an update's
  // WHERE the planner scanned the partial index of every dialing number whenever its statistics
  // were older than the calls (1.3 ms a statement with 5,000 calls live on PGlite).
  const closed = await tx.query<{ id: string }>(
    `WITH open AS MATERIALIZED (
       SELECT id, status FROM campaign_numbers WHERE contact_id = $1 AND id <> $2 AND status IN ('new', 'callback', 'dialing') FOR UPDATE
     ),
     marked AS (
       UPDATE campaign_numbers n SET cancel_requested = true FROM open WHERE n.id = open.id AND open.status = 'dialing'
     )
     UPDATE campaign_numbers n SET status = 'done', updated_at = $3 FROM open WHERE n.id = open.id AND open.status IN ('new', 'callback') RETURNING n.id`,
    [contactId, exceptId, app.clock.now()],
  );
  return closed.rows.map((r) => r.id);
}

async function contactReached(tx: Queryable, contactId: string): Promise<boolean> {
  const r = await tx.query(`SELECT 1 FROM campaign_numbers WHERE contact_id = $1 AND status = 'answered' LIMIT 1`, [contactId]);
  return r.rows.length > 0;
}

async function queueWebhook(
  app: AppContext,
  tx: Queryable,
  url: string | null,
  tenantId: string,
  event: 'attempt.completed' | 'number.finished',
  subjectId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  if (!url) return;
  const now = app.clock.now();
  // The body is rendered at delivery time, so it carries the recording once it is stored.
  await enqueue(tx, {
    tenantId,
    channel: 'webhook',
    kind: event,
    idempotencyKey: `webhook:${event}:${subjectId}`,
    payload: { ...payload, url, event },
    expiresAt: new Date(now.getTime() + 24 * 3600_000),
    now,
  });
  app.wake.outbox();
}

async function pauseTenantForBudget(app: AppContext, tx: Queryable, tenantId: string): Promise<void> {
  const running = await tx.query<{ id: string }>(
    `SELECT id FROM campaigns WHERE tenant_id = $1 AND status IN ('running', 'scheduled') AND deleted_at IS NULL`,
    [tenantId],
  );
  for (const r of running.rows) await autoPause(app, tx, r.id, 'limits_exhausted', null);
}
