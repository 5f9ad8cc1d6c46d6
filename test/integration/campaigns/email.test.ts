import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateTenant } from '../../../src/store/repositories/tenants.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../support/smtp.js';
import { addBatch, createCampaign, getCampaign, magic, makeTemplate, waitFor, type CampaignBody } from './helpers.js';

/**
 * E-mail notifications (J3) through a real SMTP server: a campaign paused or completed by a
 * person, paused by technical errors or by the exhausted minute budget, tells the addresses in
 * `notifyEmails`, in the account's language, naming the campaign and the reason.
 */
let t: TestApp;
let smtp: TestSmtpServer;
let templateId: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Dozvon <robot@dozvon.test>', TECH_ERRORS_PAUSE_AFTER: '3' });
  templateId = await makeTemplate(t);
});
afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

const setLocale = (locale: 'ru' | 'en') => updateTenant(t.dozvon.app.db, t.tenantId, { locale });
const mailsAbout = (name: string) => smtp.mails.filter((m) => m.text.includes(name));

/** Waits until `n` mails mention the campaign (delivering due outbox jobs meanwhile). */
async function mails(name: string, n: number): Promise<ReceivedMail[]> {
  return waitFor(
    async () => {
      await t.dozvon.workers.outbox!.runOnce();
      return mailsAbout(name);
    },
    (ms) => ms.length >= n,
    { what: `${n} e-mail(s) about ${name}` },
  );
}

describe('in English', () => {
  it('paused by a person: one e-mail to each address with the campaign name and the reason; resuming sends none', async () => {
    await setLocale('en');
    const c = await createCampaign(t, templateId, { notifyEmails: ['boss@example.com', 'ops@example.com'] }, { name: 'Spring offer' });
    expect((await t.api('POST', `/campaigns/${c.id}/pause`)).status).toBe(200);
    const sent = await mails('Spring offer', 2);
    expect(sent.map((m) => m.to).sort()).toEqual([['boss@example.com'], ['ops@example.com']]);
    for (const m of sent) {
      expect(m.from).toBe('robot@dozvon.test');
      expect(m.subject).toBe('Campaign "Spring offer" is paused: stopped by a person (console or Calls API)');
      expect(m.text).toContain('The campaign "Spring offer" was paused');
      expect(m.text).toContain('Reason: stopped by a person (console or Calls API).');
      expect(m.text).toContain(`/api/v1/campaigns/${c.id}`);
    }
    expect((await t.api('POST', `/campaigns/${c.id}/resume`)).status).toBe(200);
    await t.dozvon.workers.outbox!.runOnce();
    expect(mailsAbout('Spring offer')).toHaveLength(2);
  });

  it('completed by a person (with an API key): an e-mail saying so', async () => {
    const c = await createCampaign(t, templateId, { notifyEmails: ['boss@example.com'] }, { name: 'Autumn sale' });
    const key = (await t.api<{ key: string }>('POST', '/api-keys', { name: 'mailer test' })).body.key;
    const done = await t.api<CampaignBody>('POST', `/campaigns/${c.id}/complete`, undefined, { token: null, headers: { 'x-api-key': key } });
    expect(done.body.status).toBe('completed');
    const [m] = await mails('Autumn sale', 1);
    expect(m!.subject).toBe('Campaign "Autumn sale" is completed');
    expect(m!.text).toContain('Reason: stopped by a person (console or Calls API).');
    expect(m!.text).toContain('Details: API key "mailer test"');
  });

  it('paused automatically after technical errors in a row: an e-mail with the reason and the platform error', async () => {
    const c = await createCampaign(t, templateId, { notifyEmails: ['ops@example.com'] }, { name: 'Refused calls' });
    await addBatch(t, c.id, [{ phone: magic('0009', '+7900901') }, { phone: magic('0009', '+7900902') }, { phone: magic('0009', '+7900903') }, { phone: magic('0009', '+7900904') }]);
    const paused = await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'paused', { what: 'the technical pause' });
    expect(paused).toMatchObject({ statusReason: 'technical_error' });
    expect(paused.statusDetail).toContain('refused');
    const [m] = await mails('Refused calls', 1);
    expect(m!.subject).toBe('Campaign "Refused calls" is paused: repeated technical errors of the voice platform');
    expect(m!.text).toContain('Details: sandbox: the platform refused the request');
    expect(mailsAbout('Refused calls')).toHaveLength(1);
  });

  it('"complete when done": the completion by itself is announced too', async () => {
    const c = await createCampaign(t, templateId, { notifyEmails: ['boss@example.com'], completeWhenDone: true }, { name: 'Short list' });
    await addBatch(t, c.id, [{ phone: magic('0004', '+7900905') }]);
    const [m] = await mails('Short list', 1);
    expect(m!.subject).toBe('Campaign "Short list" is completed');
    expect(m!.text).toContain('Reason: every number has been called.');
  });

  it('a campaign without addresses sends nothing', async () => {
    const before = smtp.mails.length;
    const c = await createCampaign(t, templateId, {}, { name: 'Silent campaign' });
    await t.api('POST', `/campaigns/${c.id}/pause`);
    await t.api('POST', `/campaigns/${c.id}/complete`);
    await t.dozvon.workers.outbox!.runOnce();
    expect(smtp.mails.length).toBe(before);
  });
});

describe('in Russian', () => {
  it('paused and completed by a person: Russian subjects and texts (RFC 2047 encoded) with the name and the reason', async () => {
    await setLocale('ru');
    try {
      const c = await createCampaign(t, templateId, { notifyEmails: ['rukovoditel@example.com'] }, { name: 'Весенняя акция' });
      await t.api('POST', `/campaigns/${c.id}/pause`);
      const [paused] = await mails('Весенняя акция', 1);
      expect(paused!.raw).toMatch(/^Subject: =\?UTF-8\?/im);
      expect(paused!.subject).toBe('Обзвон «Весенняя акция» приостановлен: остановлен пользователем (в консоли или через Calls API)');
      expect(paused!.text).toContain('Причина: остановлен пользователем (в консоли или через Calls API).');
      await t.api('POST', `/campaigns/${c.id}/complete`);
      const both = await mails('Весенняя акция', 2);
      expect(both[1]!.subject).toBe('Обзвон «Весенняя акция» завершён');
      expect(both[1]!.text).toContain('завершён');
      const viaKey = await createCampaign(t, templateId, { notifyEmails: ['rukovoditel@example.com'] }, { name: 'Осенняя акция' });
      const key = (await t.api<{ key: string }>('POST', '/api-keys', { name: 'интеграция' })).body.key;
      await t.api('POST', `/campaigns/${viaKey.id}/pause`, undefined, { token: null, headers: { 'x-api-key': key } });
      const [byKey] = await mails('Осенняя акция', 1);
      expect(byKey!.text).toContain('Подробности: API-ключ «интеграция»');
    } finally {
      await setLocale('en');
    }
  });

  it('paused because the minute budget is used up', async () => {
    await setLocale('ru');
    try {
      const c = await createCampaign(t, templateId, { notifyEmails: ['rukovoditel@example.com'] }, { name: 'Бюджет кончился' });
      await t.api('PUT', '/settings/limits', { minuteBudget: 0, maxConcurrentCalls: 100 });
      await waitFor(() => getCampaign(t, c.id), (x) => x.status === 'paused', { what: 'the budget pause' });
      const [m] = await mails('Бюджет кончился', 1);
      expect(m!.subject).toBe('Обзвон «Бюджет кончился» приостановлен: закончился пакет минут');
    } finally {
      await t.api('PUT', '/settings/limits', { minuteBudget: null, maxConcurrentCalls: 100 });
      await setLocale('en');
    }
  });
});
