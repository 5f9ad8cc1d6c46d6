import { hmacHex } from '../../core/crypto.js';
import type { AppContext } from '../../context.js';
import { OutboundRefused } from '../../net/outboundHttp.js';
import { findAttemptById } from '../../store/repositories/attempts.js';
import { findContact, findNumber } from '../../store/repositories/numbers.js';
import type { OutboxJob } from '../../store/repositories/outbox.js';
import { toAttemptDto } from '../attemptDto.js';
import { signedMediaUrl } from '../recordingUrls.js';
import type { HandlerResult } from './outboxWorker.js';
import { currentWebhookSecret } from './webhookDeliveries.js';

/**
 * Outcome webhooks (J8): the customer's URL gets every finished attempt and every finished number
 * as JSON, signed with the tenant's webhook secret (./webhookDeliveries.ts) — header `X-Dozvon-Signature: sha256=<hmac of
 * "<timestamp>.<body>">` — and retried with backoff for 24 hours until it answers 2xx.
 */

async function render(app: AppContext, job: OutboxJob): Promise<Record<string, unknown> | 'wait' | 'gone'> {
  const p = job.payload as { event: string; attemptId?: string; numberId?: string; campaignId: string };
  if (p.attemptId) {
    const a = await findAttemptById(app.db, p.attemptId);
    if (!a) return 'gone';
    // Give the recording a moment to be stored so the hook can carry its link.
    if (a.recordingSource && !a.recordingId && job.attempts < 4) return 'wait';
    const contact = a.contactId ? await findContact(app.db, a.contactId) : undefined;
    const dto = toAttemptDto(app, a);
    const recordingUrl = a.recordingId ? signedMediaUrl(app, a.recordingId, null) : null;
    return { event: p.event, deliveryId: job.id, campaignId: p.campaignId, externalId: contact?.externalId ?? null, attempt: { ...dto, recordingUrl } };
  }
  const n = p.numberId ? await findNumber(app.db, job.tenantId, p.numberId) : undefined;
  if (!n) return 'gone';
  const contact = await findContact(app.db, n.contactId);
  return {
    event: p.event,
    deliveryId: job.id,
    campaignId: p.campaignId,
    externalId: contact?.externalId ?? null,
    number: { id: n.id, phone: n.phone, status: n.status, attemptsMade: n.attemptsMade, lastOutcome: n.lastOutcome, lastAttemptId: n.lastAttemptId },
    contact: contact ? { id: contact.id, status: contact.status, result: contact.result, variables: contact.variables } : null,
  };
}

export async function deliverWebhook(app: AppContext, job: OutboxJob): Promise<HandlerResult> {
  const url = (job.payload as { url: string }).url;
  const body = await render(app, job);
  if (body === 'gone') return { kind: 'dead', error: 'the attempt or number no longer exists' };
  if (body === 'wait') return { kind: 'retry', error: 'waiting for the recording', retryAt: new Date(app.clock.now().getTime() + 10_000), wait: true };
  const text = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  const secret = await currentWebhookSecret(app, job.tenantId);
  try {
    const res = await app.outbound.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Dozvon-Webhook/1',
        'x-dozvon-event': String(body.event),
        'x-dozvon-delivery': job.id,
        'x-dozvon-timestamp': String(ts),
        'x-dozvon-signature': `sha256=${hmacHex(secret, `${ts}.${text}`)}`,
      },
      body: text,
      timeoutMs: 10_000,
      maxResponseBytes: 64 * 1024,
    });
    // Only the status matters; a receiver answering more than 64 KB is cut off, not an error.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { kind: 'done' };
    if (res.status === 410) return { kind: 'dead', error: 'HTTP 410: the receiver asked us to stop' };
    return { kind: 'retry', error: `HTTP ${res.status}` };
  } catch (e) {
    if (e instanceof OutboundRefused) return { kind: 'dead', error: e.message };
    return { kind: 'retry', error: (e as Error).message };
  }
}
