import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { signatureValid, startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from '../../support/webhookReceiver.js';
import { addBatch, createCampaign, listAttempts, magic, makeTemplate, freshOutboxRound, waitFor, waitSettled, WEEKDAY_NOON_MSK } from './helpers.js';

/**
 * Outcome webhooks (J8): every finished attempt and every finished number is POSTed to the
 * campaign's URL once, signed with the account's secret, with the external id and the recording
 * link; a receiver that fails gets the same delivery again later, and never again after a 2xx.
 * Time is a ManualClock so retries are made due by moving it, not by waiting.
 */
let t: TestApp;
let clock: ManualClock;
let receiver: WebhookReceiver;
let secret: string;
let templateId: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  clock = new ManualClock(WEEKDAY_NOON_MSK);
  t = await startTestApp({ CRM_ALLOW_HTTP: 'true' }, { clock });
  templateId = await makeTemplate(t);
  const s = await t.api<{ secret: string; header: string; timestampHeader: string }>('GET', '/settings/webhooks');
  expect(s.status).toBe(200);
  expect(s.body).toMatchObject({ header: 'X-Dozvon-Signature', timestampHeader: 'X-Dozvon-Timestamp' });
  expect(s.body.secret).toMatch(/^[0-9a-f]{64}$/);
  secret = s.body.secret;
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
});

interface AttemptHook {
  event: 'attempt.completed';
  deliveryId: string;
  campaignId: string;
  externalId: string | null;
  attempt: { id: string; phone: string; outcome: string; result: string | null; recordingUrl: string | null; numberId: string };
}
interface NumberHook {
  event: 'number.finished';
  deliveryId: string;
  campaignId: string;
  externalId: string | null;
  number: { id: string; phone: string; status: string; attemptsMade: number; lastOutcome: string };
  contact: { status: string; result: string | null; variables: Record<string, string> } | null;
}

const of = (campaignId: string) => receiver.received.filter((h) => h.body.campaignId === campaignId);
const accepted = (campaignId: string) => of(campaignId).filter((h) => h.answered < 300);

/**
 * Waits (real time) until the campaign's answered calls have their recordings stored: the hook waits
 * for them only a few clock-driven retries, which the fast-moving test clock would otherwise skip.
 */
async function recordingsStored(campaignId: string): Promise<void> {
  // A second per poll: a start slot missed on a busy machine is granted again (see waitFor).
  await waitSettled(t, campaignId, { nudge: () => clock.advance(1000) });
  await waitFor(
    () => listAttempts(t, campaignId),
    (as) => as.length > 0 && as.every((a) => a.status === 'completed' && (!['human', 'machine', 'short'].includes(a.outcome!) || a.recordingUrl)),
    { what: 'recordings' },
  );
}

/** Delivers what is due, moving the clock past the waits for recordings and retries, until `done`. */
async function deliverUntil(done: () => boolean, what: string): Promise<void> {
  await waitFor(
    async () => {
      clock.advance(11_000);
      await t.dozvon.workers.outbox!.runOnce();
      return done();
    },
    (ok) => ok,
    { what, everyMs: 20 },
  );
}

describe('outcome webhooks', () => {
  it('every finished attempt and number arrives once, signed, with the externalId and the recording link', async () => {
    const c = await createCampaign(t, templateId, { webhookUrl: receiver.url });
    await addBatch(t, c.id, [
      { phone: magic('0004', '+7900800'), externalId: 'crm-anna', variables: { name: 'Anna' } },
      { phone: magic('0001', '+7900800'), externalId: 'crm-busy' },
      { phone: magic('0008', '+7900800'), externalId: 'crm-invalid' },
    ]);
    await recordingsStored(c.id);
    // Three attempts completed; two numbers finished (the busy one waits for its redial in 15 min).
    await deliverUntil(() => accepted(c.id).length >= 5, 'five deliveries');
    clock.advance(10 * 60_000);
    await freshOutboxRound(t);

    const hooks = of(c.id);
    expect(hooks).toHaveLength(5);
    for (const h of hooks) {
      expect(signatureValid(h, secret), JSON.stringify(h.headers)).toBe(true);
      expect(h.headers['content-type']).toBe('application/json');
      expect(h.headers['x-dozvon-event']).toBe(h.body.event);
      expect(h.headers['x-dozvon-delivery']).toBe(h.body.deliveryId);
    }
    const attempts = hooks.filter((h) => h.body.event === 'attempt.completed').map((h) => h.body as unknown as AttemptHook);
    const numbers = hooks.filter((h) => h.body.event === 'number.finished').map((h) => h.body as unknown as NumberHook);
    expect(new Set(hooks.map((h) => h.body.deliveryId)).size).toBe(5);

    expect(attempts.map((a) => [a.externalId, a.attempt.outcome]).sort()).toEqual([
      ['crm-anna', 'human'],
      ['crm-busy', 'busy'],
      ['crm-invalid', 'invalid_number'],
    ]);
    const anna = attempts.find((a) => a.externalId === 'crm-anna')!;
    expect(anna.attempt).toMatchObject({ phone: magic('0004', '+7900800'), result: 'interested' });
    expect(anna.attempt.recordingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\/.+sig=/);
    const wav = await fetch(anna.attempt.recordingUrl!);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(attempts.find((a) => a.externalId === 'crm-busy')!.attempt.recordingUrl).toBeNull();

    expect(numbers.map((n) => [n.externalId, n.number.status, n.number.lastOutcome]).sort()).toEqual([
      ['crm-anna', 'answered', 'human'],
      ['crm-invalid', 'failed', 'invalid_number'],
    ]);
    expect(numbers.find((n) => n.externalId === 'crm-anna')!.contact).toMatchObject({ status: 'reached', result: 'interested', variables: { name: 'Anna' } });

    // A forged body does not match the signature.
    const h = hooks[0]!;
    expect(signatureValid({ headers: h.headers, raw: h.raw.replace('"campaignId"', '"campaignID"') }, secret)).toBe(false);
  });

  it("a number closed by the success of the client's other phone is reported finished too", async () => {
    const c = await createCampaign(t, templateId, { webhookUrl: receiver.url });
    // The busy phone ends first (redial planned), then the other phone agrees and closes it.
    await addBatch(t, c.id, [{ phones: [magic('0001', '+7900830'), magic('0004', '+7900830')], externalId: 'crm-two-phones' }]);
    await recordingsStored(c.id);
    await deliverUntil(() => accepted(c.id).length >= 4, 'four deliveries');
    const numbers = of(c.id)
      .filter((h) => h.body.event === 'number.finished')
      .map((h) => h.body as unknown as NumberHook);
    expect(numbers.map((n) => [n.number.phone, n.number.status]).sort()).toEqual([
      [magic('0001', '+7900830'), 'done'],
      [magic('0004', '+7900830'), 'answered'],
    ]);
    expect(numbers.every((n) => n.externalId === 'crm-two-phones' && n.contact?.status === 'reached')).toBe(true);
    expect(of(c.id).filter((h) => h.body.event === 'attempt.completed')).toHaveLength(2);
  });

  it('a receiver answering 500 gets the same delivery again later, and never again after a 2xx', async () => {
    const failedOnce = new Set<string>();
    receiver.respond = (hook) => {
      const id = String(hook.body.deliveryId);
      if (failedOnce.has(id)) return 200;
      failedOnce.add(id);
      return 500;
    };
    try {
      const c = await createCampaign(t, templateId, { webhookUrl: receiver.url });
      await addBatch(t, c.id, [{ phone: magic('0007', '+7900810'), externalId: 'crm-boris' }]);
      await recordingsStored(c.id);
      await deliverUntil(() => of(c.id).filter((h) => h.answered === 500).length >= 2, 'two refused deliveries');
      // Not again at once: the retry waits for its backoff.
      const refused = of(c.id).length;
      await freshOutboxRound(t);
      expect(of(c.id).length).toBe(refused);
      await deliverUntil(() => accepted(c.id).length >= 2, 'two accepted deliveries');
      // Much later, the outbox has nothing more for this campaign.
      for (let i = 0; i < 5; i++) {
        clock.advance(3600_000);
        await t.dozvon.workers.outbox!.runOnce();
      }
      const hooks = of(c.id);
      const byDelivery = new Map<string, ReceivedHook[]>();
      for (const h of hooks) byDelivery.set(String(h.body.deliveryId), [...(byDelivery.get(String(h.body.deliveryId)) ?? []), h]);
      expect([...byDelivery.values()].map((list) => list.map((x) => x.answered))).toEqual([
        [500, 200],
        [500, 200],
      ]);
      for (const list of byDelivery.values()) {
        // The same delivery: same event, same content, each signed on its own.
        expect(list[1]!.body).toEqual(list[0]!.body);
        for (const x of list) expect(signatureValid(x, secret)).toBe(true);
      }
      expect(hooks.map((h) => h.body.event).sort()).toEqual(['attempt.completed', 'attempt.completed', 'number.finished', 'number.finished']);
      expect(hooks.every((h) => h.body.externalId === 'crm-boris')).toBe(true);
    } finally {
      receiver.respond = () => 200;
    }
  });

  it('a campaign without a webhook URL sends nothing; a bad URL is refused when the campaign is created', async () => {
    const c = await createCampaign(t, templateId);
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900820') }]);
    await waitSettled(t, c.id, { nudge: () => clock.advance(1000) });
    clock.advance(60_000);
    await freshOutboxRound(t);
    expect(of(c.id)).toEqual([]);
    const row = await t.dozvon.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox WHERE channel = 'webhook' AND payload->>'campaignId' = $1`, [c.id]);
    expect(Number(row.rows[0]!.n)).toBe(0);
    const bad = await t.api<{ error: { details: { path: string }[] } }>('POST', '/campaigns', { name: 'Bad hook', templateId, settings: { webhookUrl: 'ftp://example.com/x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]!.path).toBe('settings.webhookUrl');
  });
});
