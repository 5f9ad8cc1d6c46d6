import { hmacHex } from '../../core/crypto.js';
import { conflict, notFound } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { webhookDefaults } from '../console/tenantSettings.js';

/**
 * Outcome webhooks as the console shows them: the signing secret (derived from the account and its
 * generation — "rotate" moves to the next one), and the delivery log read from the outbox rows of
 * the webhook channel, with a retry of a delivery that gave up or waits for its next try.
 */
export function webhookSecretOf(app: AppContext, tenantId: string, version: number): string {
  // Generation 0 is the secret every account had before rotation existed: unchanged.
  return hmacHex(app.keys.webhook, version === 0 ? `tenant:${tenantId}` : `tenant:${tenantId}:v${version}`);
}

export async function currentWebhookSecret(app: AppContext, tenantId: string): Promise<string> {
  return webhookSecretOf(app, tenantId, (await webhookDefaults(app.db, tenantId)).secretVersion);
}

export interface WebhookDelivery {
  id: string;
  event: string;
  url: string;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  lastError: string | null;
  campaignId: string | null;
  attemptId: string | null;
  numberId: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  doneAt: string | null;
}

interface Row {
  id: string;
  kind: string;
  payload: { url?: string; campaignId?: string; attemptId?: string; numberId?: string };
  status: WebhookDelivery['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
  done_at: Date | null;
}

const toDelivery = (r: Row): WebhookDelivery => ({
  id: r.id,
  event: r.kind,
  url: r.payload.url ?? '',
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  campaignId: r.payload.campaignId ?? null,
  attemptId: r.payload.attemptId ?? null,
  numberId: r.payload.numberId ?? null,
  createdAt: r.created_at.toISOString(),
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
  doneAt: r.done_at?.toISOString() ?? null,
});

/** Newest first; keyset paging by `before` (a delivery id). */
export async function listWebhookDeliveries(
  db: Queryable,
  tenantId: string,
  o: { status?: WebhookDelivery['status'] | undefined; campaignId?: string | undefined; before?: string | undefined; limit: number },
): Promise<WebhookDelivery[]> {
  const r = await db.query<Row>(
    `SELECT o.id, o.kind, o.payload, o.status, o.attempts, o.last_error, o.created_at, o.next_attempt_at, o.done_at
     FROM outbox o
     WHERE o.tenant_id = $1 AND o.channel = 'webhook'
       AND ($2::text IS NULL OR o.status = $2)
       AND ($3::text IS NULL OR o.payload->>'campaignId' = $3)
       AND ($4::uuid IS NULL OR (o.created_at, o.id) < (SELECT b.created_at, b.id FROM outbox b WHERE b.id = $4 AND b.tenant_id = $1))
     ORDER BY o.created_at DESC, o.id DESC LIMIT $5`,
    [tenantId, o.status ?? null, o.campaignId ?? null, o.before ?? null, o.limit],
  );
  return r.rows.map(toDelivery);
}

/** Tries a delivery again now, with a fresh 24 hours of retries; a delivered one is not sent twice. */
export async function retryWebhookDelivery(app: AppContext, tenantId: string, id: string): Promise<WebhookDelivery> {
  const now = app.clock.now();
  const r = await app.db.query<Row>(
    `UPDATE outbox SET status = 'pending', next_attempt_at = $3, expires_at = $4, done_at = NULL
     WHERE id = $1 AND tenant_id = $2 AND channel = 'webhook' AND status IN ('pending', 'dead')
     RETURNING id, kind, payload, status, attempts, last_error, created_at, next_attempt_at, done_at`,
    [id, tenantId, now, new Date(now.getTime() + 24 * 3600_000)],
  );
  const row = r.rows[0];
  if (!row) {
    const exists = await app.db.query<{ status: string }>(`SELECT status FROM outbox WHERE id = $1 AND tenant_id = $2 AND channel = 'webhook'`, [id, tenantId]);
    if (!exists.rows[0]) throw notFound('webhook_delivery', id);
    throw conflict('errors.webhook_already_delivered');
  }
  app.wake.outbox();
  return toDelivery(row);
}
