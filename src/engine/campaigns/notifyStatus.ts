import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import type { Campaign } from '../../store/repositories/campaigns.js';
import { enqueue } from '../../store/repositories/outbox.js';

/**
 * E-mail notifications (J3): paused by a technical error, by exhausted limits, by a person;
 * completed by a person (and, since we offer it, completed by itself). Queued in the same
 * transaction as the change, delivered by the outbox.
 */
/**
 * "user:<id>" / "api:<id>" (who acted) as a person would read it: a user's name and e-mail, or the
 * name of the API key (worded by the e-mail in the recipient's language).
 */
async function whoActed(tx: Queryable, detail: string | null): Promise<{ detail: string | null; apiKeyName?: string }> {
  const m = /^(user|api):([0-9a-f-]{36})$/.exec(detail ?? '');
  if (!m) return { detail };
  if (m[1] === 'api') {
    const r = await tx.query<{ name: string }>('SELECT name FROM api_keys WHERE id = $1', [m[2]]);
    return r.rows[0] ? { detail: null, apiKeyName: r.rows[0].name } : { detail };
  }
  const r = await tx.query<{ label: string }>(`SELECT name || ' <' || email || '>' AS label FROM users WHERE id = $1`, [m[2]]);
  return { detail: r.rows[0]?.label ?? detail };
}

export async function notifyCampaignStatus(app: AppContext, tx: Queryable, c: Campaign, event: 'paused' | 'completed'): Promise<void> {
  const now = app.clock.now();
  if (c.settings.notifyEmails.length === 0) return;
  const who = await whoActed(tx, c.statusDetail);
  for (const to of c.settings.notifyEmails) {
    await enqueue(tx, {
      tenantId: c.tenantId,
      channel: 'email',
      kind: 'campaign_status',
      idempotencyKey: `email:campaign:${c.id}:${event}:${now.getTime()}:${to}`,
      payload: { to, campaignId: c.id, campaignName: c.name, event, reason: c.statusReason, ...who, at: now.toISOString() },
      expiresAt: new Date(now.getTime() + 48 * 3600_000),
      now,
    });
  }
  app.wake.outbox();
}
