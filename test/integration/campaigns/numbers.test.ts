import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import {
  addBatch,
  createCampaign,
  listAttempts,
  listNumbers,
  magic,
  makeTemplate,
  numbersByPhone,
  waitFor,
  waitSettled,
  type AttemptBody,
  type ErrorBody,
  type NumberBody,
} from './helpers.js';

/**
 * Numbers of a campaign through the Calls API (V5, J8): one or a batch with variables and an
 * external id, invalid items reported, duplicates collapsed, several phones per client, cancelling,
 * and the per-number and per-attempt reports.
 */
let t: TestApp;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  templateId = await makeTemplate(t);
});
afterAll(async () => t?.stop());

/** A campaign that waits (scheduled an hour ahead), so its numbers stay open. */
const waitingCampaign = () => createCampaign(t, templateId, {}, { startAt: new Date(Date.now() + 3600_000).toISOString() });

describe('adding numbers', () => {
  it('one client: phone in any national format, variables and externalId echoed back', async () => {
    const c = await waitingCampaign();
    const res = await t.api<{ index: number; status: string; externalId: string; contactId: string; phones: string[] }>('POST', `/campaigns/${c.id}/numbers`, {
      phone: '8 (900) 000-00-04',
      variables: { name: 'Анна', amount: 1500 },
      externalId: 'lead-17',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ index: 0, status: 'added', externalId: 'lead-17', phones: ['+79000000004'] });
    expect(res.body.contactId).toMatch(/^[0-9a-f-]{36}$/);
    const [n] = await listNumbers(t, c.id);
    expect(n).toMatchObject({ phone: '+79000000004', status: 'new', externalId: 'lead-17', attemptsMade: 0, variables: { name: 'Анна', amount: '1500' } });
    expect(n!.nextAttemptAt).toBeTruthy();

    // The same number again, written differently: a duplicate, nothing added.
    const again = await t.api<{ status: string; externalId: string }>('POST', `/campaigns/${c.id}/numbers`, { phone: '+7 900 000 00 04', externalId: 'lead-18' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'duplicate', externalId: 'lead-18' });
    expect(await listNumbers(t, c.id)).toHaveLength(1);
  });

  it('one client with a bad phone or none: 422 naming the field, in the caller language', async () => {
    const c = await waitingCampaign();
    const bad = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/numbers?lang=ru`, { phone: '12', externalId: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'phone', reason: 'phone.too_short' });
    expect(bad.body.error.details[0]!.message).toMatch(/[а-я]/i);
    const none = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/numbers`, { variables: { name: 'x' } });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0]).toMatchObject({ path: 'phone', reason: 'validation.phone_required' });
    expect(none.body.error.details[0]!.message).not.toContain('validation.');
    const noCampaign = await t.api<ErrorBody>('POST', `/campaigns/01a1fcdd-0000-7000-8000-000000000000/numbers`, { phone: magic('0004') });
    expect(noCampaign.status).toBe(404);
    expect(noCampaign.body.error.message).toContain('Campaign');
    expect(await listNumbers(t, c.id)).toEqual([]);
  });

  it('a batch: valid items are added, each invalid one is reported with its index and translated reasons, duplicates collapse', async () => {
    const c = await waitingCampaign();
    const res = await t.api<{ added: number; duplicates: number; invalid: number; items: { index: number; status: string; externalId: string | null; phones?: string[]; errors?: ErrorBody['error']['details'] }[] }>(
      'POST',
      `/campaigns/${c.id}/numbers/batch?lang=ru`,
      {
        items: [
          { phone: '+7 900 100-00-04', externalId: 'a', variables: { name: 'Анна' } },
          { phone: 'позвоните мне', externalId: 'b' },
          { phone: '89001000007', externalId: 'c' },
          { phones: ['+7 900 100-00-04'], externalId: 'd' }, // already in the batch (item 0)
          { externalId: 'e' },
          { phone: '+7 900 100-00-01', variables: { 'bad name': 'x' }, externalId: 'f' },
          'not an object',
          { phones: ['+7 900 100-00-02', '123'], externalId: 'g' }, // one good phone, one bad
        ],
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ added: 3, duplicates: 1, invalid: 4 });
    const items = res.body.items;
    expect(items.map((i) => [i.index, i.externalId, i.status])).toEqual([
      [0, 'a', 'added'],
      [1, 'b', 'invalid'],
      [2, 'c', 'added'],
      [3, 'd', 'duplicate'],
      [4, 'e', 'invalid'],
      [5, 'f', 'invalid'],
      [6, null, 'invalid'],
      [7, 'g', 'added'],
    ]);
    expect(items[1]!.errors![0]).toMatchObject({ path: 'phone', reason: 'phone.not_a_number' });
    expect(items[4]!.errors![0]).toMatchObject({ path: 'phone', reason: 'validation.phone_required' });
    expect(items[5]!.errors![0]!.path).toMatch(/^variables/);
    expect(items[7]).toMatchObject({ phones: ['+79001000002'] });
    expect(items[7]!.errors![0]).toMatchObject({ path: 'phones.1' });
    for (const i of items.filter((x) => x.errors)) for (const e of i.errors!) expect(e.message, e.reason).toMatch(/[а-яё]/i);

    const numbers = await listNumbers(t, c.id);
    expect(numbers.map((n) => [n.phone, n.externalId]).sort()).toEqual([
      ['+79001000002', 'g'],
      ['+79001000004', 'a'],
      ['+79001000007', 'c'],
    ]);
    // A later batch with a number already there: reported as a duplicate.
    const later = await addBatch(t, c.id, [{ phone: '8 900 100 00 07', externalId: 'c2' }, { phone: magic('0005', '+7900100') }]);
    expect(later).toMatchObject({ added: 1, duplicates: 1, invalid: 0 });
    // A batch of one bad item is still a batch: its item is reported, not a 422.
    const lone = await addBatch(t, c.id, [{ phone: '12', externalId: 'lone' }]);
    expect(lone).toMatchObject({ added: 0, invalid: 1, items: [{ index: 0, externalId: 'lone', status: 'invalid' }] });
    expect(lone.items[0]!.errors![0]).toMatchObject({ path: 'phone', reason: 'phone.too_short' });
    // A batch needs items, and at most 10 000.
    expect((await t.api('POST', `/campaigns/${c.id}/numbers/batch`, { items: [] })).status).toBe(422);
  });
});

describe('several phones per client', () => {
  it('a success on one phone closes the client\'s other numbers (done), queued or in a call', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120 });
    const r = await addBatch(t, c.id, [
      // Busy first (redialled later), then the woman who agrees: the busy number is closed.
      { phones: [magic('0001', '+7900200'), magic('0004', '+7900200')], externalId: 'two-phones', variables: { name: 'Anna' } },
      // The no-answer phone rings 120 s: the agreeing phone ends first and the ringing call is closed.
      { phones: [magic('0004', '+7900201'), magic('0002', '+7900201')], externalId: 'ringing-sibling' },
      // Nobody answers on either phone: both stay open for redials.
      { phones: [magic('0001', '+7900202'), magic('0006', '+7900202')], externalId: 'unreached' },
    ]);
    expect(r.items.map((i) => i.phones?.length)).toEqual([2, 2, 2]);
    const contactOf = Object.fromEntries(r.items.map((i) => [i.externalId, i.contactId]));

    const numbers = Object.fromEntries((await waitSettled(t, c.id)).map((n) => [n.phone, n]));
    expect(numbers[magic('0004', '+7900200')]).toMatchObject({ status: 'answered', contactId: contactOf['two-phones'] });
    expect(numbers[magic('0001', '+7900200')]).toMatchObject({ status: 'done', lastOutcome: 'busy', nextAttemptAt: null });
    expect(numbers[magic('0004', '+7900201')]).toMatchObject({ status: 'answered' });
    expect(numbers[magic('0002', '+7900201')]).toMatchObject({ status: 'done', nextAttemptAt: null });
    expect(numbers[magic('0001', '+7900202')]!.status).toBe('callback');
    expect(numbers[magic('0006', '+7900202')]!.status).toBe('callback');

    const stats = await t.api<{ contacts: { reached: number; open: number } }>('GET', `/campaigns/${c.id}/stats`);
    expect(stats.body.contacts).toMatchObject({ reached: 2, open: 1 });
    // Nothing more is ever called for the reached clients.
    const closed = await listNumbers(t, c.id, 'status=done');
    expect(closed.map((n) => n.phone).sort()).toEqual([magic('0002', '+7900201'), magic('0001', '+7900200')].sort());
  });
});

describe('cancelling numbers', () => {
  it('by id, by phone (any format) and by externalId; counts what was cancelled; unknown ones are ignored', async () => {
    const c = await waitingCampaign();
    const r = await addBatch(t, c.id, [
      { phone: magic('0004', '+7900300'), externalId: 'by-id' },
      { phone: magic('0004', '+7900301'), externalId: 'by-phone' },
      { phones: [magic('0004', '+7900302'), magic('0007', '+7900302')], externalId: 'by-ext' },
      { phone: magic('0004', '+7900303'), externalId: 'kept' },
    ]);
    expect(r.added).toBe(4);
    const before = await numbersByPhone(t, c.id);

    const byId = await t.api<{ cancelled: number }>('POST', `/campaigns/${c.id}/numbers/cancel`, { numberIds: [before[magic('0004', '+7900300')]!.id] });
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual({ cancelled: 1 });
    const byPhone = await t.api<{ cancelled: number }>('POST', `/campaigns/${c.id}/numbers/cancel`, { phones: ['8 (900) 301-00-04'] });
    expect(byPhone.body).toEqual({ cancelled: 1 });
    const byExt = await t.api<{ cancelled: number }>('POST', `/campaigns/${c.id}/numbers/cancel`, { externalIds: ['by-ext', 'nobody'] });
    expect(byExt.body).toEqual({ cancelled: 2 });
    // Again: nothing left to cancel.
    expect((await t.api<{ cancelled: number }>('POST', `/campaigns/${c.id}/numbers/cancel`, { externalIds: ['by-ext'] })).body).toEqual({ cancelled: 0 });
    const empty = await t.api<ErrorBody>('POST', `/campaigns/${c.id}/numbers/cancel`, {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.details[0]!.reason).toBe('validation.cancel_nothing');

    const after = await numbersByPhone(t, c.id);
    expect(Object.values(after).filter((n) => n.status === 'cancelled')).toHaveLength(4);
    expect(after[magic('0004', '+7900303')]).toMatchObject({ status: 'new' });

    // Started now: only the number that was kept is called.
    await t.api('POST', `/campaigns/${c.id}/start`);
    const settled = await waitSettled(t, c.id);
    expect(settled.filter((n) => n.status === 'answered').map((n) => n.externalId)).toEqual(['kept']);
    expect((await listAttempts(t, c.id)).map((a) => a.phone)).toEqual([magic('0004', '+7900303')]);
  });

  it('a number in a call is hung up and ends cancelled', async () => {
    const c = await createCampaign(t, templateId, { ringTimeoutSec: 120 });
    await addBatch(t, c.id, [{ phone: magic('0002', '+7900310'), externalId: 'ringing' }]);
    const [a] = await waitFor(() => listAttempts(t, c.id), (as) => as.some((x) => x.status === 'ringing'), { what: 'ringing', everyMs: 10 });
    const res = await t.api<{ cancelled: number }>('POST', `/campaigns/${c.id}/numbers/cancel`, { externalIds: ['ringing'] });
    expect(res.status).toBe(200);
    const done = (await t.api<AttemptBody>('GET', `/attempts/${a!.id}?wait=10`)).body;
    expect(done.outcome).toBe('cancelled');
    const [n] = await waitSettled(t, c.id);
    expect(n).toMatchObject({ status: 'cancelled', nextAttemptAt: null });
  });
});

describe('reports', () => {
  it('per number (filtered by status and externalId, paged), one number with its attempts, and attempts by campaign', async () => {
    const c = await createCampaign(t, templateId);
    await addBatch(t, c.id, [
      { phone: magic('0004', '+7900400'), externalId: 'r-anna', variables: { name: 'Anna' } },
      { phone: magic('0001', '+7900400'), externalId: 'r-busy' },
      { phone: magic('0008', '+7900400'), externalId: 'r-invalid' },
    ]);
    await waitSettled(t, c.id);
    const attempts = await waitFor(() => listAttempts(t, c.id), (as) => as.length === 3 && as.every((a) => a.status === 'completed' && (a.outcome !== 'human' || a.recordingUrl)));

    const answered = await listNumbers(t, c.id, 'status=answered');
    expect(answered.map((n) => n.externalId)).toEqual(['r-anna']);
    expect(await listNumbers(t, c.id, 'status=callback')).toMatchObject([{ externalId: 'r-busy', lastOutcome: 'busy' }]);
    expect(await listNumbers(t, c.id, 'externalId=r-invalid')).toMatchObject([{ status: 'failed', lastOutcome: 'invalid_number' }]);
    expect(await listNumbers(t, c.id, `phone=${encodeURIComponent(magic('0001', '+7900400'))}`)).toMatchObject([{ externalId: 'r-busy' }]);
    expect(await listNumbers(t, c.id, `phone=${encodeURIComponent('8 (900) 400-00-01')}`)).toMatchObject([{ externalId: 'r-busy' }]);
    expect(await listNumbers(t, c.id, 'status=cancelled')).toEqual([]);
    const bad = await t.api<ErrorBody>('GET', `/campaigns/${c.id}/numbers?status=whatever`);
    expect(bad.status).toBe(422);

    // Keyset paging.
    const page1 = await t.api<{ numbers: NumberBody[]; next: string | null }>('GET', `/campaigns/${c.id}/numbers?limit=2`);
    expect(page1.body.numbers).toHaveLength(2);
    expect(page1.body.next).toBeTruthy();
    const page2 = await t.api<{ numbers: NumberBody[]; next: string | null }>('GET', `/campaigns/${c.id}/numbers?limit=2&after=${page1.body.next}`);
    expect(page2.body.numbers).toHaveLength(1);
    expect(page2.body.next).toBeNull();

    const one = await t.api<{ number: NumberBody & { status: string }; attempts: AttemptBody[] }>('GET', `/campaigns/${c.id}/numbers/${answered[0]!.id}`);
    expect(one.status).toBe(200);
    expect(one.body.number).toMatchObject({ id: answered[0]!.id, phone: magic('0004', '+7900400'), status: 'answered', attemptsMade: 1 });
    expect(one.body.attempts).toHaveLength(1);
    expect(one.body.attempts[0]).toMatchObject({ outcome: 'human', result: 'interested', numberId: answered[0]!.id, attemptNo: 1 });
    expect(one.body.attempts[0]!.recordingUrl).toMatch(/^http/);
    // A number of another campaign is not found under this one.
    const other = await createCampaign(t, templateId);
    expect((await t.api('GET', `/campaigns/${other.id}/numbers/${answered[0]!.id}`)).status).toBe(404);

    expect(attempts.map((a) => a.campaignId)).toEqual([c.id, c.id, c.id]);
    expect(attempts.map((a) => a.outcome).sort()).toEqual(['busy', 'human', 'invalid_number']);
    const busyOnly = await t.api<{ attempts: AttemptBody[] }>('GET', `/attempts?campaignId=${c.id}&outcome=busy`);
    expect(busyOnly.body.attempts.map((a) => a.phone)).toEqual([magic('0001', '+7900400')]);
    const campaignKind = await t.api<{ attempts: AttemptBody[] }>('GET', `/attempts?kind=campaign&campaignId=${other.id}`);
    expect(campaignKind.body.attempts).toEqual([]);
  });
});
