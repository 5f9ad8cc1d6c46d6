import type Router from '@koa/router';
import { z } from 'zod';
import type { TemplateSettings } from '../../../core/template.js';
import { DomainError, forbidden, notFound } from '../../../core/errors.js';
import { parseInput } from '../../../core/validation.js';
import type { B24Context } from '../../../crm/bitrix24/b24Context.js';
import { callHistory } from '../../../crm/bitrix24/history.js';
import { documentOf } from '../../../crm/bitrix24/intake/crmRecords.js';
import { callByFilter, callIds, callIdsSchema } from '../../../crm/bitrix24/intake/startCalls.js';
import { isB24Error } from '../../../crm/bitrix24/rest/b24Error.js';
import { readableIds, userRecordAccess, type ActingUser } from '../../../crm/bitrix24/userRights.js';
import { robotCode } from '../../../crm/bitrix24/robots/robotDefinition.js';
import { findIntake } from '../../../crm/bitrix24/store/intakes.js';
import { findCampaign } from '../../../store/repositories/campaigns.js';
import { countNumbersByStatus } from '../../../store/repositories/numbers.js';
import { listVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import { readJson } from '../../body.js';
import type { DozvonState } from '../../state.js';
import type { FrameAuth, PortalUser } from '../frameAuth.js';

/**
 * `/bitrix24/api/*` — the JSON API of the placement pages (deal/lead tab, list menu), for a portal
 * user authenticated by their frame token (see ../frameAuth.ts). Everything is scoped to that
 * user's portal, and to the records that user's own CRM rights show them: a record is read with
 * the user's token before its history is shown or a call is started for it
 * (crm/bitrix24/userRights.ts). Contract (also in README.md, "Bitrix24"):
 *
 *   GET  /bitrix24/api/me                                  → {userId, admin, name, portal:{memberId, domain, status, statusReason, locale}}
 *   GET  /bitrix24/api/templates                           → {templates:[{id, name, description, robotCode}]}
 *   GET  /bitrix24/api/history?entity=deal|lead&id=123     → {document, calls:[HistoryEntry…]} newest first; recording links live an hour
 *   POST /bitrix24/api/calls        {templateId, entity, ids[], maxAttempts?}                          → 202 {campaignId, name, refused:[ids the user may not read]}
 *   POST /bitrix24/api/calls/filter {templateId, entity, filter?, stageId?, categoryId?, statusId?, maxAttempts?} → 202 {campaignId, name}
 *   GET  /bitrix24/api/campaigns/:id                       → {id, name, status, statusReason, numbers:{<status>:n}, intake:{status, fetched, added, skipped, error}}
 *
 * Errors use the app's one shape `{error:{code, message, details, requestId}}` (401 without a valid
 * frame token, 403 for a record the user may not read — or none of the chosen rows —, 422 for
 * invalid input, 404 for another portal's campaign).
 */
const historyQuery = z.object({ entity: z.enum(['deal', 'lead', 'contact']), id: z.coerce.number().int().positive() });
const idParam = z.object({ id: z.uuid() });

/** Recording links a placement shows are for listening now, not for keeping (the CRM timeline has the lasting one). */
export const PLACEMENT_RECORDING_TTL_MS = 3600_000;

const acting = (u: PortalUser): ActingUser => ({ tenantId: u.tenant.id, clientEndpoint: u.portal.clientEndpoint, accessToken: u.accessToken });

/** A portal that failed to answer a rights check: an expired frame token is the page's to renew; the rest is "try again". */
async function asUser<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isB24Error(e)) throw e;
    if (e.kind === 'auth' || e.kind === 'revoked') throw new DomainError('unauthorized', 'bitrix24.errors.frame_auth');
    throw new DomainError('rate_limited', 'bitrix24.errors.portal_busy');
  }
}

export function mountApiRoutes(router: Router<DozvonState>, b24: B24Context, auth: FrameAuth): void {
  const { app } = b24;

  router.get('/bitrix24/api/me', async (ctx) => {
    const u = await auth.authenticate(ctx);
    const portal = { memberId: u.memberId, domain: u.tenant.name, status: u.tenant.status, statusReason: u.tenant.statusReason, locale: u.tenant.locale };
    ctx.body = { userId: u.userId, admin: u.admin, name: u.name, portal };
  });

  router.get('/bitrix24/api/templates', async (ctx) => {
    const u = await auth.authenticate(ctx);
    const templates = await listVersioned<TemplateSettings>(app.db, TEMPLATES, u.tenant.id);
    ctx.body = { templates: templates.map((x) => ({ id: x.id, name: x.name, description: x.body.description, robotCode: robotCode(x.id) })) };
  });

  router.get('/bitrix24/api/history', async (ctx) => {
    const u = await auth.authenticate(ctx);
    const q = parseInput(historyQuery, ctx.query, 'query');
    const access = await asUser(() => userRecordAccess(b24, acting(u), q));
    if (access === 'denied') throw forbidden('bitrix24.errors.record_forbidden');
    if (access === 'not_found') throw new DomainError('not_found', 'bitrix24.errors.record_not_found', { document: documentOf(q) });
    const document = documentOf(q);
    ctx.body = { document, calls: await callHistory(app, u.tenant.id, document, u.tenant.locale, { recordingTtlMs: PLACEMENT_RECORDING_TTL_MS }) };
  });

  router.post('/bitrix24/api/calls', async (ctx) => {
    const u = await auth.authenticate(ctx);
    const input = parseInput(callIdsSchema, await readJson(ctx));
    // Each chosen row is read as the user: rows their role hides are reported, never called.
    const readable = await asUser(() => readableIds(b24, acting(u), input.entity, input.ids));
    const allowed = [...new Set(input.ids)].filter((id) => readable.has(id));
    const refused = [...new Set(input.ids)].filter((id) => !readable.has(id));
    if (allowed.length === 0) throw new DomainError('forbidden', 'bitrix24.errors.rows_forbidden', { count: refused.length }, [], { refused });
    const started = await callIds(b24, u.tenant.id, { ...input, ids: allowed });
    ctx.status = 202;
    ctx.body = { ...started, refused };
  });

  router.post('/bitrix24/api/calls/filter', async (ctx) => {
    const u = await auth.authenticate(ctx);
    // A filter can reach every deal of the portal, read with the install's tokens: admins only.
    if (!u.admin) throw forbidden('bitrix24.errors.admin_only');
    ctx.status = 202;
    ctx.body = await callByFilter(b24, u.tenant.id, await readJson(ctx));
  });

  router.get('/bitrix24/api/campaigns/:id', async (ctx) => {
    const u = await auth.authenticate(ctx);
    const { id } = parseInput(idParam, ctx.params, 'params');
    const c = await findCampaign(app.db, u.tenant.id, id);
    if (!c) throw notFound('campaign', id);
    const intake = await findIntake(app.db, u.tenant.id, id);
    ctx.body = {
      id: c.id,
      name: c.name,
      status: c.status,
      statusReason: c.statusReason,
      numbers: await countNumbersByStatus(app.db, c.id),
      intake: intake ? { status: intake.status, fetched: intake.fetched, added: intake.added, skipped: intake.skipped, error: intake.error } : null,
    };
  });
}
