import type { Transporter } from 'nodemailer';
import type { AppContext } from '../../context.js';
import { t, type Locale } from '../../i18n.js';
import { findTenant } from '../../store/repositories/tenants.js';
import type { OutboxJob } from '../../store/repositories/outbox.js';
import type { HandlerResult } from './outboxWorker.js';

/**
 * Campaign e-mails (J3) through SMTP_URL with nodemailer, in the tenant's language
 * (locales/<lang>/email.json). Without SMTP_URL the e-mail is recorded as skipped.
 */
const transports = new Map<string, Transporter>();

/**
 * One SMTP transport per SMTP_URL (pooled connections), shared by the apps of this process.
 * nodemailer loads with the first e-mail, not at every start.
 */
export async function transporter(app: AppContext): Promise<Transporter | undefined> {
  const url = app.config.smtpUrl;
  if (!url) return undefined;
  let t = transports.get(url);
  if (!t) {
    const { default: nodemailer } = await import('nodemailer');
    // Another e-mail may have made it while this one waited for the module.
    t = transports.get(url) ?? nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

interface CampaignStatusMail {
  to: string;
  campaignId: string;
  campaignName: string;
  event: 'paused' | 'completed';
  reason: string | null;
  detail: string | null;
  /** Set when an API key acted: its name, worded in the recipient's language. */
  apiKeyName?: string;
  at: string;
}

export function renderCampaignMail(lng: Locale, p: CampaignStatusMail, consoleUrl: string): { subject: string; text: string } {
  const reason = t(lng, `email.reason.${p.reason ?? 'manual'}`);
  const detail = p.apiKeyName ? t(lng, 'email.api_key', { name: p.apiKeyName }) : p.detail;
  const params = { name: p.campaignName, reason, detail: detail ?? '', at: new Date(p.at).toLocaleString(lng === 'ru' ? 'ru-RU' : 'en-GB', { timeZone: 'UTC' }), url: `${consoleUrl}/api/v1/campaigns/${p.campaignId}` };
  return {
    subject: t(lng, `email.campaign_${p.event}.subject`, params),
    text: [t(lng, `email.campaign_${p.event}.body`, params), detail ? t(lng, 'email.detail', params) : '', t(lng, 'email.footer', params)].filter(Boolean).join('\n\n'),
  };
}

export async function deliverEmail(app: AppContext, job: OutboxJob): Promise<HandlerResult> {
  const p = job.payload as unknown as CampaignStatusMail;
  const tenant = await findTenant(app.db, job.tenantId);
  const lng: Locale = tenant?.locale ?? app.config.defaultLocale;
  const mail = renderCampaignMail(lng, p, app.publicUrl());
  const tx = await transporter(app);
  if (!tx) {
    app.log.info({ to: p.to, subject: mail.subject }, 'e-mail skipped: SMTP_URL is not set');
    return { kind: 'done', state: { skipped: true } };
  }
  try {
    const info = await tx.sendMail({ from: app.config.mailFrom, to: p.to, subject: mail.subject, text: mail.text, messageId: `<${job.id}@dozvon>` });
    return { kind: 'done', state: { messageId: info.messageId } };
  } catch (e) {
    const code = (e as { responseCode?: number }).responseCode;
    // 5xx from the server about the recipient will not get better by retrying.
    if (code && code >= 550 && code < 560) return { kind: 'dead', error: (e as Error).message };
    return { kind: 'retry', error: (e as Error).message };
  }
}
