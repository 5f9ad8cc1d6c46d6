import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSession } from '../../../src/engine/auth/sessions.js';
import { insertUser } from '../../../src/store/repositories/users.js';
import { upsertTenant } from '../../../src/store/repositories/tenants.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp.js';
import { openSse } from '../../support/sse.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhookReceiver.js';
import { addBatch, createCampaign, magic, makeTemplate, waitFor, waitSettled, type ErrorBody } from '../campaigns/helpers.js';

/**
 * The API the web console adds: live updates over SSE (tenant by tenant, the live dialogue of one
 * call), the dashboard, the user's own language, webhook defaults / rotation / delivery log /
 * retry, e-mail defaults and the test e-mail, the import preview with a column mapping (nothing
 * written until the import), progress, the XLSX export and the CRM connection state.
 */
let t: TestApp;
let smtp: TestSmtpServer;
let receiver: WebhookReceiver;
let templateId: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  receiver = await startWebhookReceiver();
  t = await startTestApp({ SMTP_URL: smtp.url, CRM_ALLOW_HTTP: 'true' });
  templateId = await makeTemplate(t);
});
afterAll(async () => {
  await t?.stop();
  await smtp?.close();
  await receiver?.close();
});

const auth = (token = t.token) => ({ authorization: `Bearer ${token}` });

describe('live updates (SSE)', () => {
  it('streams attempt changes and, for the call asked about, its dialogue as it happens', async () => {
    const all = await openSse(`${t.url}/api/v1/events`, auth());
    try {
      expect(all.status).toBe(200);
      expect(all.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await all.next((e) => e.event === 'ready');
      const call = await t.api<{ id: string }>('POST', '/test-calls', { templateId, phone: magic('0004'), variables: { name: 'Anna' } });
      expect(call.status).toBe(202);
      const one = await openSse(`${t.url}/api/v1/events?attempt=${call.body.id}`, auth());
      try {
        const done = await all.next((e) => e.event === 'attempt' && e.data.attemptId === call.body.id && e.data.status === 'completed', 30_000);
        expect(done.data).toMatchObject({ kind: 'test', outcome: 'human', campaignId: null });
        expect(done.data.tenantId).toBeUndefined();
        // The dialogue: the bot's lines and what the callee answered, in order.
        const said = await one.next((e) => e.event === 'transcript' && e.data.who === 'callee' && String(e.data.text).length > 0);
        expect(said.data.attemptId).toBe(call.body.id);
        const lines = one.events.filter((e) => e.event === 'transcript');
        expect(lines[0]!.data.who).toBe('bot');
        // Without ?attempt= no dialogue is sent (a busy campaign would flood the dashboard).
        expect(all.events.some((e) => e.event === 'transcript')).toBe(false);
        // One event per state the call went through: the AMD verdict, the gender and the lease
        // written while it is answered change nothing the console shows, and announce nothing.
        const states = all.events.filter((e) => e.event === 'attempt' && e.data.attemptId === call.body.id && e.data.status !== 'completed').map((e) => e.data.status);
        expect(states).toContain('answered');
        expect(states.length).toBe(new Set(states).size);
      } finally {
        one.close();
      }
    } finally {
      all.close();
    }
  });

  it('a stream sees its own account only', async () => {
    const { tenant } = await upsertTenant(t.dozvon.app.db, { kind: 'bitrix24', externalId: 'sse-other.bitrix24.ru', name: 'Other portal' });
    const user = await insertUser(t.dozvon.app.db, { tenantId: tenant.id, email: 'other-sse@example.com', name: 'Other', passwordHash: 'x', role: 'admin', locale: 'en' });
    const { token: otherToken } = await startSession(t.dozvon.app.db, t.dozvon.app.keys.session, user);
    const other = await openSse(`${t.url}/api/v1/events`, auth(otherToken));
    const mine = await openSse(`${t.url}/api/v1/events`, auth());
    try {
      await other.next((e) => e.event === 'ready');
      await mine.next((e) => e.event === 'ready');
      const c = await createCampaign(t, templateId);
      await mine.next((e) => e.event === 'campaign' && e.data.campaignId === c.id);
      await addBatch(t, c.id, [{ phone: magic('0001') }]);
      await mine.next((e) => e.event === 'numbers' && e.data.campaignId === c.id);
      await mine.next((e) => e.event === 'attempt' && e.data.campaignId === c.id && e.data.status === 'completed', 30_000);
      expect(other.events.filter((e) => e.event !== 'ready')).toEqual([]);
    } finally {
      other.close();
      mine.close();
    }
  });

  it('needs a session', async () => {
    const res = await fetch(`${t.url}/api/v1/events`);
    expect(res.status).toBe(401);
  });
});

describe('dashboard', () => {
  it('counts today’s calls by outcome in the viewer’s zone, shows unfinished campaigns with progress and paused ones as alerts', async () => {
    const c = await createCampaign(t, templateId, { attempts: { initial: 1, max: 1 } });
    await addBatch(t, c.id, [{ phone: magic('0004') }, { phone: magic('0001') }]);
    await waitSettled(t, c.id);
    expect((await t.api('POST', `/campaigns/${c.id}/pause`)).status).toBe(200);
    const d = await t.api<{
      timezone: string;
      today: { date: string; outcomes: Record<string, number>; total: number };
      week: { date: string }[];
      campaigns: { id: string; status: string; progress: { total: number; called: number; reached: number; remaining: number } }[];
      alerts: { kind: string; campaignId?: string; reason?: string }[];
    }>('GET', '/dashboard?tz=Asia/Vladivostok');
    expect(d.status).toBe(200);
    expect(d.body.timezone).toBe('Asia/Vladivostok');
    expect(d.body.week).toHaveLength(7);
    expect(d.body.today.outcomes.human).toBeGreaterThanOrEqual(1);
    expect(d.body.today.outcomes.busy).toBeGreaterThanOrEqual(1);
    const mine = d.body.campaigns.find((x) => x.id === c.id)!;
    expect(mine.progress).toMatchObject({ total: 2, called: 2, reached: 1, remaining: 0 });
    expect(d.body.alerts).toContainEqual(expect.objectContaining({ kind: 'campaign_paused', campaignId: c.id, reason: 'manual' }));

    const bad = await t.api<ErrorBody>('GET', '/dashboard?tz=Mars/Olympus');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]!.path).toBe('query.tz');
  });

  it('warns when the minute budget is nearly spent', async () => {
    expect((await t.api('PUT', '/settings/limits', { minuteBudget: 1, maxConcurrentCalls: 100 })).status).toBe(200);
    try {
      const d = await t.api<{ alerts: { kind: string; level?: string }[] }>('GET', '/dashboard');
      expect(d.body.alerts).toContainEqual(expect.objectContaining({ kind: 'budget' }));
    } finally {
      await t.api('PUT', '/settings/limits', { minuteBudget: null, maxConcurrentCalls: 100 });
    }
  });
});

describe('the signed-in user', () => {
  it('keeps the chosen language; messages follow it', async () => {
    const res = await t.api<{ locale: string }>('PATCH', '/auth/me', { locale: 'ru' });
    expect(res.status).toBe(200);
    expect((await t.api<{ locale: string }>('GET', '/auth/me')).body.locale).toBe('ru');
    const err = await t.api<ErrorBody>('PATCH', '/auth/me', { locale: 'de' });
    expect(err.status).toBe(422);
    expect(err.body.error.message).toMatch(/[а-я]/i);
    await t.api('PATCH', '/auth/me', { locale: 'en' });
  });
});

describe('webhooks', () => {
  it('a default URL reaches new campaigns; the secret rotates; the delivery log shows failures and retries them', async () => {
    receiver.respond = () => 500;
    const url = `${receiver.url}`;
    expect((await t.api('PUT', '/settings/webhooks', { defaultUrl: url })).status).toBe(200);
    const before = await t.api<{ secret: string; secretVersion: number; defaultUrl: string }>('GET', '/settings/webhooks');
    expect(before.body.defaultUrl).toBe(url);
    const c = await createCampaign(t, templateId);
    expect(c.settings.webhookUrl).toBe(url);
    const own = await createCampaign(t, templateId, { webhookUrl: null });
    expect(own.settings.webhookUrl).toBeNull();

    await addBatch(t, c.id, [{ phone: magic('0001') }]);
    const failing = await waitFor(
      () => t.api<{ deliveries: { id: string; status: string; attempts: number; lastError: string | null; campaignId: string }[] }>('GET', `/webhook-deliveries?campaignId=${c.id}`),
      (r) => r.body.deliveries.some((d) => d.attempts >= 1 && d.lastError === 'HTTP 500'),
      { what: 'a failed delivery' },
    );
    const d = failing.body.deliveries.find((x) => x.lastError === 'HTTP 500')!;
    expect(d.status).toBe('pending');

    const rotated = await t.api<{ secret: string; secretVersion: number }>('POST', '/settings/webhooks/rotate');
    expect(rotated.body.secretVersion).toBe(before.body.secretVersion + 1);
    expect(rotated.body.secret).not.toBe(before.body.secret);

    receiver.respond = () => 200;
    const retried = await t.api<{ status: string }>('POST', `/webhook-deliveries/${d.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('pending');
    await waitFor(
      () => t.api<{ deliveries: { id: string; status: string }[] }>('GET', `/webhook-deliveries?campaignId=${c.id}`),
      (r) => r.body.deliveries.find((x) => x.id === d.id)?.status === 'done',
      { what: 'the retried delivery to be done' },
    );
    // Signed with the new secret.
    const last = receiver.received.filter((h) => h.answered === 200).at(-1)!;
    const { signatureValid } = await import('../../support/webhookReceiver.js');
    expect(signatureValid(last, rotated.body.secret)).toBe(true);
    const again = await t.api<ErrorBody>('POST', `/webhook-deliveries/${d.id}/retry`);
    expect(again.status).toBe(409);
    await t.api('PUT', '/settings/webhooks', { defaultUrl: null });
  });
});

describe('e-mail notifications', () => {
  it('default recipients reach new campaigns; a test e-mail arrives', async () => {
    expect((await t.api('PUT', '/settings/notifications', { emails: ['ops@example.com'] })).status).toBe(200);
    const s = await t.api<{ emails: string[]; smtpConfigured: boolean }>('GET', '/settings/notifications');
    expect(s.body).toMatchObject({ emails: ['ops@example.com'], smtpConfigured: true });
    const c = await createCampaign(t, templateId);
    expect(c.settings.notifyEmails).toEqual(['ops@example.com']);
    const sent = await t.api<{ messageId: string }>('POST', '/settings/notifications/test', { to: 'admin@example.com' });
    expect(sent.status).toBe(200);
    const mail = await waitFor(async () => smtp.mails.find((m) => m.to.includes('admin@example.com')), Boolean, { what: 'the test e-mail' });
    expect(mail!.subject).toBe('Dozvon: test e-mail');
    const bad = await t.api<ErrorBody>('POST', '/settings/notifications/test', { to: 'not an address' });
    expect(bad.status).toBe(422);
    await t.api('PUT', '/settings/notifications', { emails: [] });
  });

  it('without SMTP_URL the test says so in words', async () => {
    const bare = await startTestApp();
    try {
      const res = await bare.api<ErrorBody>('POST', '/settings/notifications/test', { to: 'a@example.com' });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('SMTP_URL');
    } finally {
      await bare.stop();
    }
  });
});

interface Preview {
  meta: { format: string; encoding: string; delimiter: string; headerRow: boolean; columns: { index: number; header: string; role: string; variable?: string }[]; sample: { rowNumber: number; cells: string[] }[] };
  variables: { name: string }[];
  report: { rows: number; validRows: number; rejectedRows: number; alreadyInCampaign: number; newPhones: number; errors: { row: number; value: string; message: string }[] };
}

async function upload<T>(path: string, data: Buffer, filename: string, mapping?: unknown): Promise<{ status: number; body: T }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), filename);
  if (mapping !== undefined) form.append('mapping', typeof mapping === 'string' ? mapping : JSON.stringify(mapping));
  const res = await fetch(`${t.url}/api/v1${path}`, { method: 'POST', headers: auth(), body: form });
  return { status: res.status, body: (await res.json()) as T };
}

describe('import preview', () => {
  const csv = iconv.encode('Телефон;Клиент;Город\r\n+7 900 000-00-04;Анна;Москва\r\n12-34;Борис;Тверь\r\n8 900 000 00 07;Вера;Омск\r\n', 'win1251');

  it('tells the encoding, delimiter, first rows and columns, and what the import would do — writing nothing', async () => {
    const c = await createCampaign(t, templateId);
    await addBatch(t, c.id, [{ phone: magic('0007') }]);
    const p = await upload<Preview>(`/campaigns/${c.id}/numbers/import/preview`, csv, 'clients.csv');
    expect(p.status).toBe(200);
    expect(p.body.meta).toMatchObject({ format: 'csv', encoding: 'windows-1251', delimiter: ';', headerRow: true });
    expect(p.body.meta.sample[0]!.cells).toEqual(['Телефон', 'Клиент', 'Город']);
    expect(p.body.meta.sample[1]!.cells[1]).toBe('Анна');
    expect(p.body.meta.columns.map((x) => x.role)).toEqual(['phone', 'variable', 'variable']);
    expect(p.body.report).toMatchObject({ rows: 3, validRows: 2, rejectedRows: 1, alreadyInCampaign: 1, newPhones: 1 });
    expect(p.body.report.errors[0]).toMatchObject({ row: 3, value: '12-34' });
    expect(p.body.report.errors[0]!.message).toBeTruthy();
    const numbers = await t.api<{ numbers: unknown[] }>('GET', `/campaigns/${c.id}/numbers`);
    expect(numbers.body.numbers).toHaveLength(1);
  });

  it('a mapping puts a column into the scenario variable the person chose, in the preview and the import alike', async () => {
    const c = await createCampaign(t, templateId);
    const mapping = [{ index: 1, role: 'variable', variable: 'name' }, { index: 2, role: 'ignored' }];
    const p = await upload<Preview>(`/campaigns/${c.id}/numbers/import/preview`, csv, 'clients.csv', mapping);
    expect(p.body.meta.columns[1]).toMatchObject({ role: 'variable', variable: 'name' });
    expect(p.body.meta.columns[2]!.role).toBe('ignored');
    const r = await upload<{ numbersAdded: number }>(`/campaigns/${c.id}/numbers/import`, csv, 'clients.csv', mapping);
    expect(r.status).toBe(200);
    expect(r.body.numbersAdded).toBe(2);
    const numbers = await t.api<{ numbers: { phone: string; variables: Record<string, string> }[] }>('GET', `/campaigns/${c.id}/numbers`);
    expect(numbers.body.numbers.find((n) => n.phone === magic('0004'))!.variables).toEqual({ name: 'Анна' });
  });

  it('refuses a mapping without a phone column or that is not JSON, in words', async () => {
    const c = await createCampaign(t, templateId);
    const noPhone = await upload<ErrorBody>(`/campaigns/${c.id}/numbers/import/preview`, csv, 'clients.csv', [{ index: 0, role: 'ignored' }]);
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.error.message).toBeTruthy();
    const junk = await upload<ErrorBody>(`/campaigns/${c.id}/numbers/import/preview`, csv, 'clients.csv', '{oops');
    expect(junk.status).toBe(400);
    const wrong = await upload<ErrorBody>(`/campaigns/${c.id}/numbers/import/preview`, csv, 'clients.csv', [{ index: 0, role: 'boss' }]);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details[0]!.path).toBe('mapping.0.role');
  });
});

describe('progress and export', () => {
  it('progress counts the numbers; the XLSX holds every call with headers in the user’s language', async () => {
    const c = await createCampaign(t, templateId, { attempts: { initial: 1, max: 1 } });
    await addBatch(t, c.id, [{ phone: magic('0004'), externalId: 'deal-1' }, { phone: magic('0002') }]);
    await waitSettled(t, c.id);
    const p = await t.api<{ total: number; reached: number; remaining: number; done: number }>('GET', `/campaigns/${c.id}/progress`);
    expect(p.body).toMatchObject({ total: 2, reached: 1, remaining: 0, done: 2 });

    const res = await fetch(`${t.url}/api/v1/campaigns/${c.id}/attempts.xlsx?lang=ru`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const rows = await readSheet(Buffer.from(await res.arrayBuffer()));
    expect(rows[0]).toContain('Телефон');
    expect(rows).toHaveLength(3);
    expect(rows.flat()).toContain('deal-1');
  });
});

describe('CRM connections', () => {
  it('the standalone console says which CRMs this server has and what to register', async () => {
    const r = await t.api<{ account: { kind: string }; bitrix24: { configured: boolean; handlerUrl: string; portal: unknown }; amocrm: { configured: boolean } }>('GET', '/crm/connections');
    expect(r.status).toBe(200);
    expect(r.body.account.kind).toBe('console');
    expect(r.body.bitrix24).toMatchObject({ configured: false, portal: null });
    expect(r.body.bitrix24.handlerUrl).toMatch(/\/bitrix24\/app$/);
  });
});
