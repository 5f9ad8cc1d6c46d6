import { z } from 'zod';
import { CAMPAIGN_STATUSES, campaignSettingsSchema } from '../../../core/campaign.js';
import { notFound } from '../../../core/errors.js';
import { NUMBER_STATUSES } from '../../../core/nextAttempt.js';
import { normalizePhone } from '../../../core/phone.js';
import type { TemplateSettings } from '../../../core/template.js';
import { addNumbers, numberItemSchema, parseBatch } from '../../../engine/campaigns/addNumbers.js';
import { cancelNumbers, cancelRequestSchema } from '../../../engine/campaigns/cancelNumbers.js';
import { exportAttemptsCsv } from '../../../engine/campaigns/exportAttempts.js';
import { importNumbers } from '../../../engine/campaigns/importNumbers.js';
import {
  campaignEditSchema,
  campaignInputSchema,
  completeCampaign,
  createCampaign,
  deleteCampaign,
  editCampaign,
  getCampaign,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
} from '../../../engine/campaigns/lifecycle.js';
import { campaignCharts, campaignStats, templateStats } from '../../../engine/campaigns/stats.js';
import { listAttempts } from '../../../store/repositories/attempts.js';
import { listCampaigns, type Campaign } from '../../../store/repositories/campaigns.js';
import { countNumbersByStatus, countNumbersByStatusOf, findNumber, listNumbers, type CampaignNumber } from '../../../store/repositories/numbers.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import { renderIssues as renderDetails } from '../../errors.js';
import { route, type RouteInput } from '../../route.js';
import { withClientsFile } from './clientsFileUpload.js';
import { isoOrNull, toAttemptDto } from './dto.js';

/**
 * Campaigns (J1–J7) and the Calls API (J8): the same routes serve the console (session) and
 * integrations (X-Api-Key). Numbers can be added while a campaign runs; conditions change only
 * while it is scheduled or paused.
 */
const idParams = z.object({ id: z.uuid() });

const campaignDto = z.object({
  id: z.uuid(),
  name: z.string(),
  templateId: z.uuid(),
  status: z.enum(CAMPAIGN_STATUSES),
  statusReason: z.string().nullable(),
  statusDetail: z.string().nullable(),
  settings: campaignSettingsSchema,
  source: z.record(z.string(), z.unknown()),
  startAt: z.string().nullable(),
  version: z.number(),
  numbers: z.record(z.string(), z.number()).optional(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});

const toDto = (c: Campaign, numbers?: Record<string, number>): z.infer<typeof campaignDto> => ({
  id: c.id,
  name: c.name,
  templateId: c.templateId,
  status: c.status,
  statusReason: c.statusReason,
  statusDetail: c.statusDetail,
  settings: c.settings,
  source: c.source,
  startAt: isoOrNull(c.startAt),
  version: c.version,
  ...(numbers ? { numbers } : {}),
  createdAt: c.createdAt.toISOString(),
  startedAt: isoOrNull(c.startedAt),
  completedAt: isoOrNull(c.completedAt),
});

/** When a number is next due; null once it waits for nothing (dialling or finished). */
const nextAttemptAtOf = (n: CampaignNumber) => (n.status === 'new' || n.status === 'callback' ? n.nextAttemptAt.toISOString() : null);

const actor = (p: RouteInput<unknown, unknown, unknown>['principal']) => (p?.kind === 'user' ? `user:${p.userId}` : p?.kind === 'apiKey' ? `api:${p.keyId}` : null);
const itemResultDto = z.object({
  index: z.number(),
  externalId: z.string().nullable(),
  status: z.enum(['added', 'duplicate', 'invalid']),
  contactId: z.uuid().optional(),
  phones: z.array(z.string()).optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), reason: z.string() })).optional(),
});

function renderItems(lng: 'ru' | 'en', r: Awaited<ReturnType<typeof addNumbers>>) {
  return {
    added: r.added,
    duplicates: r.duplicates,
    invalid: r.invalid,
    items: r.items.map((i) => ({ ...i, errors: i.errors ? renderDetails(lng, i.errors) : undefined })),
  };
}

export const campaignRoutes = [
  route({
    method: 'get',
    path: '/campaigns',
    summary: 'Campaigns, newest first',
    tag: 'campaigns',
    access: 'userOrApiKey',
    query: z.object({
      status: z.enum(CAMPAIGN_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      /** Count each campaign's numbers by status too (the console's list). */
      withNumbers: z.enum(['true', 'false']).optional(),
    }),
    response: z.object({ campaigns: z.array(campaignDto) }),
    handler: async ({ app, tenantId, query }) => {
      const list = await listCampaigns(app.db, tenantId, query);
      const counts = query.withNumbers === 'true' ? await countNumbersByStatusOf(app.db, list.map((c) => c.id)) : undefined;
      return { campaigns: list.map((c) => toDto(c, counts?.get(c.id))) };
    },
  }),
  route({
    method: 'post',
    path: '/campaigns',
    summary: 'Create a campaign from a template; starts now, or at startAt',
    tag: 'campaigns',
    access: 'userOrApiKey',
    body: campaignInputSchema,
    status: 201,
    response: campaignDto,
    // The raw body: settings the request leaves out get the account's defaults (webhook URL, e-mails).
    handler: async ({ app, tenantId, principal, rawBody }) =>
      toDto(await createCampaign(app, tenantId, principal?.kind === 'user' ? principal.userId : null, rawBody, { kind: principal?.kind === 'apiKey' ? 'api' : 'console' })),
  }),
  route({
    method: 'get',
    path: '/campaigns/:id',
    summary: 'One campaign with its numbers counted by status',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    response: campaignDto,
    handler: async ({ app, tenantId, params }) => {
      const c = await getCampaign(app, tenantId, params.id);
      return toDto(c, await countNumbersByStatus(app.db, c.id));
    },
  }),
  route({
    method: 'patch',
    path: '/campaigns/:id',
    summary: 'Change the conditions (only while scheduled or paused; 409 otherwise)',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    query: z.object({ expectedVersion: z.coerce.number().int().min(1).optional() }),
    body: campaignEditSchema,
    response: campaignDto,
    handler: async ({ app, tenantId, params, query, body }) => toDto(await editCampaign(app, tenantId, params.id, body, query.expectedVersion)),
  }),
  route({
    method: 'delete',
    path: '/campaigns/:id',
    summary: 'Delete a campaign at any time: calls in progress finish, nothing new starts',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      await deleteCampaign(app, tenantId, params.id);
      return undefined;
    },
  }),
  ...(['start', 'pause', 'resume', 'complete'] as const).map((action) =>
    route({
      method: 'post',
      path: `/campaigns/:id/${action}`,
      summary: { start: 'Start a scheduled campaign now', pause: 'Pause', resume: 'Resume (refused while the cause of an automatic pause remains)', complete: 'Complete' }[action],
      tag: 'campaigns',
      access: 'userOrApiKey',
      params: idParams,
      response: campaignDto,
      handler: async ({ app, tenantId, params, principal }) => {
        const c =
          action === 'start'
            ? await startCampaign(app, tenantId, params.id)
            : action === 'pause'
              ? await pauseCampaign(app, tenantId, params.id, actor(principal))
              : action === 'resume'
                ? await resumeCampaign(app, tenantId, params.id)
                : await completeCampaign(app, tenantId, params.id, actor(principal));
        return toDto(c);
      },
    }),
  ),
  route({
    method: 'post',
    path: '/campaigns/:id/numbers',
    summary: 'Add one client: phone or phones, variables, externalId (echoed back)',
    tag: 'calls api',
    access: 'userOrApiKey',
    params: idParams,
    body: numberItemSchema,
    status: 201,
    response: itemResultDto,
    handler: async ({ app, tenantId, params, body, ctx }) => {
      const r = renderItems(ctx.state.locale, await addNumbers(app, tenantId, params.id, [body], { single: true }));
      return r.items[0];
    },
  }),
  route({
    method: 'post',
    path: '/campaigns/:id/numbers/batch',
    summary: 'Add up to 10,000 clients; valid items are added, each invalid one is reported',
    tag: 'calls api',
    access: 'userOrApiKey',
    params: idParams,
    body: z.object({ items: z.array(z.unknown()).min(1).max(10_000) }).strict(),
    response: z.object({ added: z.number(), duplicates: z.number(), invalid: z.number(), items: z.array(itemResultDto) }),
    handler: async ({ app, tenantId, params, body, ctx }) => renderItems(ctx.state.locale, await addNumbers(app, tenantId, params.id, parseBatch(body))),
  }),
  route({
    method: 'post',
    path: '/campaigns/:id/numbers/import',
    summary: 'Import a clients file: CSV, XLSX or TXT (UTF-8 or Windows-1251; , ; or tab)',
    tag: 'campaigns',
    access: 'userOrApiKey',
    params: idParams,
    bodyDoc: { contentType: 'multipart/form-data', description: 'field "file"; optional field "mapping": JSON [{index, role: phone|variable|externalId|ignored, variable?}] (as in the preview)' },
    handler: async ({ app, tenantId, params, ctx }) => {
      const r = await withClientsFile(app, ctx, (file, mapping) => importNumbers(app, tenantId, params.id, file, mapping));
      const lng = ctx.state.locale;
      const render = (list: typeof r.errors) =>
        list.map((i) => ({ row: i.rowNumber, column: i.column ?? null, value: i.value, reason: i.reason.key, message: renderDetails(lng, [{ path: '', key: i.reason.key, params: { value: i.value, ...(i.reason.params ?? {}) } }])[0]!.message }));
      return { ...r, errors: render(r.errors), warnings: render(r.warnings) };
    },
  }),
  route({
    method: 'post',
    path: '/campaigns/:id/numbers/cancel',
    summary: 'Cancel numbers by id, phone or externalId (a call in progress is hung up)',
    tag: 'calls api',
    access: 'userOrApiKey',
    params: idParams,
    body: cancelRequestSchema,
    response: z.object({ cancelled: z.number() }),
    handler: async ({ app, tenantId, params, body }) => cancelNumbers(app, tenantId, params.id, body),
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/numbers',
    summary: 'Per-number report (keyset paging with ?after=<number id>)',
    tag: 'calls api',
    access: 'userOrApiKey',
    params: idParams,
    query: z.object({
      status: z.enum(NUMBER_STATUSES).optional(),
      phone: z.string().max(40).optional(),
      externalId: z.string().max(200).optional(),
      after: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    handler: async ({ app, tenantId, params, query }) => {
      const c = await getCampaign(app, tenantId, params.id);
      // Stored in E.164: find "8 (900) 123-45-67" too.
      const template = query.phone ? await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId, c.templateId) : undefined;
      const normalized = query.phone ? normalizePhone(query.phone, template?.body.country ?? 'RU') : undefined;
      const phone = normalized?.ok ? normalized.e164 : query.phone;
      const rows = await listNumbers(app.db, { tenantId, campaignId: params.id, ...query, phone, afterId: query.after });
      return {
        numbers: rows.map((n) => ({
          id: n.id,
          contactId: n.contactId,
          externalId: n.externalId,
          phone: n.phone,
          status: n.status,
          attemptsMade: n.attemptsMade,
          lastOutcome: n.lastOutcome,
          nextAttemptAt: nextAttemptAtOf(n),
          /** The callee's candidate time zones (from the number); empty when unknown. */
          calleeZones: n.zoneKey.split('|').filter(Boolean),
          variables: n.variables,
        })),
        next: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/numbers/:numberId',
    summary: 'One number with every attempt made to it',
    tag: 'calls api',
    access: 'userOrApiKey',
    params: z.object({ id: z.uuid(), numberId: z.uuid() }),
    handler: async ({ app, tenantId, params }) => {
      const n = await findNumber(app.db, tenantId, params.numberId);
      if (!n || n.campaignId !== params.id) throw notFound('number', params.numberId);
      // Claims given back before dialling (worker stopping, start slot missed) were no attempts.
      const attempts = (await listAttempts(app.db, { tenantId, numberId: n.id, limit: 500 })).filter((a) => a.placed || a.technical || a.status !== 'completed');
      return {
        number: {
          id: n.id,
          contactId: n.contactId,
          phone: n.phone,
          status: n.status,
          attemptsMade: n.attemptsMade,
          answeredCalls: n.answeredCalls,
          redialCounts: n.redialCounts,
          lastOutcome: n.lastOutcome,
          nextAttemptAt: nextAttemptAtOf(n),
          createdAt: n.createdAt.toISOString(),
          updatedAt: n.updatedAt.toISOString(),
        },
        attempts: attempts.reverse().map((a) => toAttemptDto(app, a)),
      };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/stats',
    summary: 'Statistics: numbers, reach, outcomes, durations, ineffective calls, AMD and gender split, reach by hour (campaign time zone), redial funnel',
    tag: 'statistics',
    access: 'userOrApiKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      const c = await getCampaign(app, tenantId, params.id);
      return { ...(await campaignStats(app.db, tenantId, params.id)), ...(await campaignCharts(app.db, tenantId, params.id, c.settings.timezone)) };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns/:id/attempts.csv',
    summary: 'Every attempt as CSV (streamed)',
    tag: 'statistics',
    access: 'userOrApiKey',
    params: idParams,
    responseDoc: { contentType: 'text/csv', description: 'UTF-8 with BOM' },
    handler: async ({ app, tenantId, params, ctx }) => {
      const c = await getCampaign(app, tenantId, params.id);
      ctx.set('Content-Disposition', `attachment; filename="campaign-${c.id}.csv"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = exportAttemptsCsv(app.db, tenantId, c.id, ctx.state.locale);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/templates/:id/stats',
    summary: 'Statistics of every call made with a template (campaigns and test calls)',
    tag: 'statistics',
    access: 'userOrApiKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      // Another account's template (or none) is not found, as everywhere else.
      if (!(await findVersioned(app.db, TEMPLATES, tenantId, params.id))) throw notFound('template', params.id);
      return templateStats(app.db, tenantId, params.id);
    },
  }),
];
