import { z } from 'zod';
import { unauthorized } from '../../../core/errors.js';
import { timeZoneSchema } from '../../../core/timezone.js';
import { exportAttemptsXlsx } from '../../../engine/campaigns/exportAttempts.js';
import { getCampaign } from '../../../engine/campaigns/lifecycle.js';
import { previewImport } from '../../../engine/campaigns/previewImport.js';
import { campaignProgress } from '../../../engine/campaigns/progress.js';
import { crmConnections } from '../../../engine/console/crmConnections.js';
import { dashboard } from '../../../engine/console/dashboard.js';
import {
  notificationDefaults,
  notificationDefaultsSchema,
  saveNotificationDefaults,
  saveWebhookDefaults,
  webhookDefaults,
} from '../../../engine/console/tenantSettings.js';
import { sendTestEmail } from '../../../engine/console/testEmail.js';
import { listWebhookDeliveries, retryWebhookDelivery, webhookSecretOf } from '../../../engine/outbox/webhookDeliveries.js';
import { findUser, updateUser } from '../../../store/repositories/users.js';
import { renderIssues } from '../../errors.js';
import { route, type RouteInput } from '../../route.js';
import { eventRoutes } from './eventRoutes.js';
import { withClientsFile } from './clientsFileUpload.js';

/**
 * What the web console needs beyond the resources every client uses: live updates, the dashboard,
 * the signed-in user's own settings, webhook and e-mail settings with their checks, the import
 * preview, progress, XLSX export and the CRM connection state. Described in the OpenAPI document
 * like every other route.
 */
const idParams = z.object({ id: z.uuid() });
const userId = (p: RouteInput<unknown, unknown, unknown>['principal']) => (p?.kind === 'user' ? p.userId : undefined);


export const consoleRoutes = [
  ...eventRoutes,
  route({
    method: 'get',
    path: '/dashboard',
    summary: 'Calls of today and the last 7 days by outcome (days in ?tz), unfinished campaigns with progress, alerts',
    tag: 'console',
    access: 'user',
    query: z.object({ tz: timeZoneSchema.default('UTC') }),
    handler: async ({ app, tenantId, query }) => dashboard(app, tenantId, query.tz),
  }),
  route({
    method: 'patch',
    path: '/auth/me',
    summary: 'Change your own name or language (the console remembers the language per user)',
    tag: 'auth',
    access: 'user',
    body: z.object({ name: z.string().trim().min(1).max(120).optional(), locale: z.enum(['ru', 'en']).optional() }).strict(),
    handler: async ({ app, tenantId, principal, body }) => {
      const id = userId(principal);
      const u = id ? await updateUser(app.db, tenantId, id, { name: body.name, locale: body.locale }) : undefined;
      if (!u) throw unauthorized();
      return { id: u.id, email: u.email, name: u.name, role: u.role, locale: u.locale };
    },
  }),
  route({
    method: 'put',
    path: '/settings/webhooks',
    summary: 'Set the webhook URL every new campaign posts its outcomes to unless it names its own (null = none)',
    tag: 'settings',
    access: 'admin',
    body: z.object({ defaultUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable() }).strict(),
    handler: async ({ app, tenantId, body }) => {
      const d = await webhookDefaults(app.db, tenantId);
      await saveWebhookDefaults(app.db, tenantId, { ...d, defaultUrl: body.defaultUrl });
      return { defaultUrl: body.defaultUrl };
    },
  }),
  route({
    method: 'post',
    path: '/settings/webhooks/rotate',
    summary: 'Replace the webhook signing secret; deliveries from now on are signed with the new one',
    tag: 'settings',
    access: 'admin',
    handler: async ({ app, tenantId }) => {
      const d = await webhookDefaults(app.db, tenantId);
      const next = { ...d, secretVersion: d.secretVersion + 1 };
      await saveWebhookDefaults(app.db, tenantId, next);
      return { secret: webhookSecretOf(app, tenantId, next.secretVersion), secretVersion: next.secretVersion };
    },
  }),
  route({
    method: 'get',
    path: '/webhook-deliveries',
    summary: 'Outcome webhook deliveries, newest first (keyset paging with ?before=<delivery id>)',
    tag: 'settings',
    access: 'admin',
    query: z.object({
      status: z.enum(['pending', 'done', 'dead']).optional(),
      campaignId: z.uuid().optional(),
      before: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async ({ app, tenantId, query }) => {
      const deliveries = await listWebhookDeliveries(app.db, tenantId, query);
      return { deliveries, next: deliveries.length === query.limit ? deliveries[deliveries.length - 1]!.id : null };
    },
  }),
  route({
    method: 'post',
    path: '/webhook-deliveries/:id/retry',
    summary: 'Deliver a failed (or waiting) webhook again now, with a fresh 24 hours of retries',
    tag: 'settings',
    access: 'admin',
    params: idParams,
    handler: async ({ app, tenantId, params }) => retryWebhookDelivery(app, tenantId, params.id),
  }),
  route({
    method: 'get',
    path: '/settings/notifications',
    summary: 'Default recipients of campaign e-mails and whether this server can send e-mail',
    tag: 'settings',
    access: 'user',
    handler: async ({ app, tenantId }) => ({ ...(await notificationDefaults(app.db, tenantId)), smtpConfigured: Boolean(app.config.smtpUrl), from: app.config.mailFrom }),
  }),
  route({
    method: 'put',
    path: '/settings/notifications',
    summary: 'Set who gets the e-mails of every new campaign unless it names its own recipients',
    tag: 'settings',
    access: 'admin',
    body: notificationDefaultsSchema,
    handler: async ({ app, tenantId, body }) => {
      await saveNotificationDefaults(app.db, tenantId, body);
      return body;
    },
  }),
  route({
    method: 'post',
    path: '/settings/notifications/test',
    summary: 'Send a test e-mail now through SMTP_URL (502 with the mail server’s answer when it refuses)',
    tag: 'settings',
    access: 'admin',
    body: z.object({ to: z.email().max(200) }).strict(),
    handler: async ({ app, principal, body, ctx }) => {
      const id = userId(principal);
      const me = id ? await findUser(app.db, id) : undefined;
      return sendTestEmail(app, { to: body.to, lng: ctx.state.locale, by: me?.name ?? '' });
    },
  }),
  route({
    method: 'post',
    path: '/campaigns/:id/numbers/import/preview',
    summary: 'Dry run of a clients-file import: format, encoding, delimiter, first rows, column mapping, rejected rows — nothing is written',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    bodyDoc: { contentType: 'multipart/form-data', description: 'field "file"; optional field "mapping": JSON [{index, role: phone|variable|externalId|ignored, variable?}]' },
    handler: async ({ app, tenantId, params, ctx }) => {
      const p = await withClientsFile(app, ctx, (file, mapping) => previewImport(app, tenantId, params.id, file, mapping));
      const lng = ctx.state.locale;
      const render = (list: typeof p.report.errors) =>
        list.map((i) => ({
          row: i.rowNumber,
          column: i.column ?? null,
          value: i.value,
          reason: i.reason.key,
          message: renderIssues(lng, [{ path: '', key: i.reason.key, params: { value: i.value, ...(i.reason.params ?? {}) } }])[0]!.message,
        }));
      return { ...p, report: { ...p.report, errors: render(p.report.errors), warnings: render(p.report.warnings) } };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/progress',
    summary: 'Numbers called, reached and remaining, with the pace of the last 15 minutes and the time left',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      const c = await getCampaign(app, tenantId, params.id);
      return (await campaignProgress(app.db, [c], app.clock.now()))[0]!;
    },
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/attempts.xlsx',
    summary: 'Every attempt as an Excel workbook (up to 100,000 calls; use the CSV for more)',
    tag: 'statistics',
    access: 'userOrApiKey',
    params: idParams,
    responseDoc: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', description: 'the workbook' },
    handler: async ({ app, tenantId, params, ctx }) => {
      const c = await getCampaign(app, tenantId, params.id);
      const body = await exportAttemptsXlsx(app.db, tenantId, c.id, ctx.state.locale);
      ctx.set('Content-Disposition', `attachment; filename="campaign-${c.id}.xlsx"`);
      ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.body = body;
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/crm/connections',
    summary: 'This account’s CRM connection (Bitrix24 portal / amoCRM account state, robots) and the addresses to register in a CRM',
    tag: 'settings',
    access: 'user',
    handler: async ({ app, tenantId }) => crmConnections(app, tenantId),
  }),
];

