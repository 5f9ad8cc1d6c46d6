import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import type { Campaign } from '../../store/repositories/campaigns.js';
import { enqueue } from '../../store/repositories/outbox.js';

/**
 * E-mail notifications (J3): paused by a technical error, by exhausted limits, by a person;
 * completed by a person (and, since we offer it, completed by itself). Queued in the same
 * transaction as the change, delivered by the outbox.
 */
export async function notifyCampaignStatus(app: AppContext, tx: Queryable, c: Campaign, event: 'paused' | 'completed'): Promise<void> {
  const now = app.clock.now();
  for (const to of c.settings.notifyEmails) {
    await enqueue(tx, {
      tenantId: c.tenantId,
      channel: 'email',
      kind: 'campaign_status',
      idempotencyKey: `email:campaign:${c.id}:${event}:${now.getTime()}:${to}`,
      payload: { to, campaignId: c.id, campaignName: c.name, event, reason: c.statusReason, detail: c.statusDetail, at: now.toISOString() },
      expiresAt: new Date(now.getTime() + 48 * 3600_000),
      now,
    });
  }
  if (c.settings.notifyEmails.length) app.wake.outbox();
}
