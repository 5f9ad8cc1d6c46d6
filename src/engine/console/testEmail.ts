import { DomainError } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import { t, type Locale } from '../../i18n.js';
import { transporter } from '../outbox/emailHandler.js';

/**
 * "Send a test e-mail" in the console's notification settings: one message straight through
 * SMTP_URL, so the admin sees at once whether campaign e-mails will arrive — and if not, the mail
 * server's own answer. Not queued: the point is the immediate answer (campaign e-mails themselves
 * go through the outbox with retries).
 */
export async function sendTestEmail(app: AppContext, o: { to: string; lng: Locale; by: string }): Promise<{ messageId: string }> {
  const tx = await transporter(app);
  if (!tx) throw new DomainError('conflict', 'errors.smtp_not_configured');
  try {
    const info = await tx.sendMail({
      from: app.config.mailFrom,
      to: o.to,
      subject: t(o.lng, 'email.test.subject'),
      text: t(o.lng, 'email.test.body', { by: o.by, url: app.publicUrl() }),
    });
    return { messageId: String(info.messageId) };
  } catch (err) {
    app.log.warn({ err, to: o.to }, 'test e-mail refused');
    const e = err as { response?: string; message?: string };
    throw new DomainError('upstream_failed', 'errors.email_send_failed', { reason: (e.response ?? e.message ?? '').slice(0, 300) });
  }
}
