import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { conflict, DomainError, forbidden, notFound } from '../../../core/errors.js';
import type { TemplateSettings } from '../../../core/template.js';
import { parseInput } from '../../../core/validation.js';
import { accountSettings, updateAccountSettings } from '../../../crm/amocrm/accountSettings.js';
import type { AmoContext } from '../../../crm/amocrm/amoContext.js';
import { oauthPageUrl } from '../../../crm/amocrm/platform.js';
import { mayViewLead, needsLeads } from '../../../crm/amocrm/leadRights.js';
import { leadExternalId } from '../../../crm/amocrm/intake/contactRef.js';
import { callByFilter, callLeads, previewCalls } from '../../../crm/amocrm/intake/startCalls.js';
import { findIntake } from '../../../crm/amocrm/store/intakes.js';
import { outcomeText } from '../../../crm/amocrm/writeback/callTexts.js';
import { callHistory } from '../../../crm/shared/history.js';
import { namedLocale, type Locale } from '../../../i18n.js';
import { findCampaign } from '../../../store/repositories/campaigns.js';
import { countNumbersByStatus } from '../../../store/repositories/numbers.js';
import { listVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import { readJson } from '../../body.js';
import type { DozvonState } from '../../state.js';
import { widgetCors } from './cors.js';
import { UserDirectory } from './userDirectory.js';
import { authenticateWidget, connected, type WidgetCaller } from './widgetAuth.js';

/**
 * `/amocrm/widget/*` — the widget's API, every call authorised by amoCRM's one-time token
 * (./widgetAuth.ts) and answered with CORS for the account's pages (./cors.ts). Everything is
 * scoped to the caller's account. Contract (also in README.md, "amoCRM and Kommo"):
 *
 *   GET  /amocrm/widget/status             → {connected, status, statusReason, account, locale, reconnectUrl, user}
 *   GET  /amocrm/widget/templates          → {templates:[{id, name}], dp_key}   (dp_key: administrators only, else null)
 *   POST /amocrm/widget/calls              {template_id, lead_ids[], max_attempts?} → 202 {campaign_id, name}
 *   POST /amocrm/widget/calls/preview      {lead_ids[]} → {leads, counted, phones, without_phone, exact}
 *   POST /amocrm/widget/calls/filter       {template_id, filter:{pipeline_id?, status_ids?, responsible_user_ids?, query?}, max_attempts?} → 202   (administrators)
 *   GET  /amocrm/widget/history?lead_id=N  → {lead_id, calls:[…]} newest first
 *   GET  /amocrm/widget/campaigns/:id      → {id, name, status, statusReason, numbers:{<status>: n}, intake}
 *   GET  /amocrm/widget/settings           → {settings, fields:[{id, name, type, enums}], pipelines:[{id, name, statuses}]}   (administrators)
 *   PUT  /amocrm/widget/settings           {fields?, notifyEmails?, maxConcurrent?, intensity?} → {settings}   (administrators)
 *   POST /amocrm/widget/console-session    → {tenantId, accountId, user:{id, name, isAdmin}, locale}
 *
 * Errors: Dozvon's one shape `{error:{code, message, details, requestId}}` in the caller's language;
 * 401 without a valid token, 403 when the account is not connected (or the user is no
 * administrator), 409 while it must be reconnected, 422 for invalid input.
 */
const historyQuery = z.object({ lead_id: z.coerce.number().int().positive() });
const idParam = z.object({ id: z.uuid() });
/** How long a recording link in the card panel plays: an hour, like the Bitrix24 deal tab. */
const PANEL_RECORDING_TTL_MS = 3600_000;

type Handler = (c: WidgetCaller, koa: Context & { state: DozvonState }) => Promise<unknown>;

export function mountWidgetRoutes(router: Router<DozvonState>, ctx: AmoContext): void {
  const users = new UserDirectory(ctx);
  const cors = widgetCors(ctx.cfg.allowLoopbackHttp);

  const route = (method: 'get' | 'post' | 'put', path: string, handler: Handler, status = 200) => {
    router.options(path, cors);
    router[method](path, cors, async (koa) => {
      const caller = await authenticateWidget(ctx, koa);
      // Texts in the account's language unless the request names one of ours (a browser's or
      // fetch's `Accept-Language: *` names none).
      if (!koa.query.lang && caller.tenant && !namedLocale(koa.get('accept-language'))) koa.state.locale = caller.tenant.locale;
      const body = await handler(caller, koa);
      koa.status = status;
      koa.body = body;
    });
  };

  /**
   * The caller may see every one of these leads in amoCRM (their rights: src/crm/amocrm/leadRights.ts);
   * else 403 naming the hidden ones. The leads are read only when the rights depend on them, in
   * shared requests.
   */
  const mayView = async (c: WidgetCaller, tenantId: string, leadIds: readonly unknown[]): Promise<void> => {
    const u = await users.lookup(tenantId, c.userId, { isAdmin: c.claims.is_admin });
    if (!needsLeads(u.leads)) return;
    const ids = [...new Set(leadIds.map(Number).filter((n) => Number.isInteger(n) && n > 0))];
    const groupOf = async (userId: number) => (await users.lookup(tenantId, userId, { isAdmin: false })).leads.groupId;
    const seen = await Promise.all(ids.map(async (id) => mayViewLead(u.leads, c.userId, await ctx.api.readLead(tenantId, id), groupOf)));
    const hidden = ids.filter((_, i) => !seen[i]);
    if (hidden.length) throw new DomainError('forbidden', 'amocrm.errors.lead_hidden', { count: hidden.length }, [], { lead_ids: hidden });
  };
  const leadIdsOf = (body: unknown): unknown[] => {
    const ids = body && typeof body === 'object' ? (body as { lead_ids?: unknown }).lead_ids : undefined;
    return Array.isArray(ids) ? ids : [];
  };

  const admin = async (c: WidgetCaller, tenantId: string): Promise<void> => {
    const u = await users.lookup(tenantId, c.userId, { isAdmin: c.claims.is_admin });
    if (!u.isAdmin) throw forbidden('amocrm.errors.admin_only');
  };

  /** Calls can start only while the connection works (a paused account would leave them waiting). */
  const callable = (c: WidgetCaller) => {
    const x = connected(c);
    if (x.tenant.status === 'needs_reauth') throw conflict('amocrm.errors.needs_reauth');
    if (x.tenant.status === 'api_blocked') throw conflict('amocrm.errors.api_blocked');
    return x;
  };

  route('get', '/amocrm/widget/status', async (c) => {
    const installed = Boolean(c.account && c.tenant && c.tenant.status !== 'uninstalled' && c.account.refreshTokenEnc);
    const loopback = !c.account ? false : c.account.baseUrl.startsWith('http://');
    const base = c.account?.baseUrl ?? '';
    const reconnect = new URL(oauthPageUrl(c.platform, base || 'https://invalid', loopback));
    reconnect.searchParams.set('client_id', c.integration.clientId);
    reconnect.searchParams.set('mode', 'popup');
    reconnect.searchParams.set('state', `reconnect-${c.claims.account_id}`);
    const user = installed ? await users.lookup(c.tenant!.id, c.userId, { isAdmin: c.claims.is_admin }) : { id: c.userId, name: '', isAdmin: c.claims.is_admin === true };
    return {
      connected: installed,
      status: installed ? c.tenant!.status : 'not_connected',
      statusReason: installed ? c.tenant!.statusReason : null,
      account: c.account ? { id: c.account.accountId, name: c.account.name, subdomain: c.account.subdomain, platform: c.account.platform } : null,
      locale: c.tenant?.locale ?? (c.platform === 'amocrm' ? 'ru' : 'en'),
      reconnectUrl: reconnect.toString(),
      user: { id: user.id, isAdmin: user.isAdmin },
    };
  });

  route('get', '/amocrm/widget/templates', async (c) => {
    const { account, tenant } = connected(c);
    const templates = await listVersioned<TemplateSettings>(ctx.db, TEMPLATES, tenant.id);
    const u = await users.lookup(tenant.id, c.userId, { isAdmin: c.claims.is_admin });
    return { templates: templates.map((x) => ({ id: x.id, name: x.name })), dp_key: u.isAdmin ? ctx.sealer.open(account.dpKeyEnc) : null };
  });

  route(
    'post',
    '/amocrm/widget/calls',
    async (c, koa) => {
      const { tenant } = callable(c);
      const body = await readJson(koa);
      await mayView(c, tenant.id, leadIdsOf(body));
      return callLeads(ctx, tenant.id, body);
    },
    202,
  );

  route('post', '/amocrm/widget/calls/preview', async (c, koa) => {
    const { tenant } = callable(c);
    const body = (await readJson(koa)) as { template_id?: unknown; lead_ids?: unknown };
    await mayView(c, tenant.id, leadIdsOf(body));
    const templates = await listVersioned<TemplateSettings>(ctx.db, TEMPLATES, tenant.id);
    const template = templates.find((x) => x.id === body.template_id) ?? templates[0];
    return previewCalls(ctx, tenant.id, { lead_ids: body.lead_ids }, template?.body.country ?? 'RU');
  });

  route(
    'post',
    '/amocrm/widget/calls/filter',
    async (c, koa) => {
      const { tenant } = callable(c);
      // A filter can reach every lead of the account, read with the install's tokens: administrators only.
      await admin(c, tenant.id);
      return callByFilter(ctx, tenant.id, await readJson(koa));
    },
    202,
  );

  route('get', '/amocrm/widget/history', async (c, koa) => {
    const { tenant } = connected(c);
    const q = parseInput(historyQuery, koa.query, 'query');
    await mayView(c, tenant.id, [q.lead_id]);
    // The user's language (the widget names it), not the account's: these words are for the panel.
    const lng: Locale = koa.state.locale;
    // The panel plays a recording now: its link expires (only the lead's feed keeps a lasting one).
    const calls = await callHistory(ctx.db, tenant.id, leadExternalId(q.lead_id), { outcomeText: (o) => outcomeText(lng, o), recordingLink: (a) => ctx.recordingLink(a, PANEL_RECORDING_TTL_MS) });
    return { lead_id: q.lead_id, calls };
  });

  route('get', '/amocrm/widget/campaigns/:id', async (c, koa) => {
    const { tenant } = connected(c);
    const { id } = parseInput(idParam, koa.params, 'params');
    const campaign = await findCampaign(ctx.db, tenant.id, id);
    if (!campaign) throw notFound('campaign', id);
    const intake = await findIntake(ctx.db, tenant.id, id);
    return {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      statusReason: campaign.statusReason,
      numbers: await countNumbersByStatus(ctx.db, campaign.id),
      intake: intake ? { status: intake.status, fetched: intake.fetched, added: intake.added, skipped: intake.skipped, error: intake.error } : null,
    };
  });

  route('get', '/amocrm/widget/settings', async (c) => {
    const { tenant } = connected(c);
    await admin(c, tenant.id);
    const [fields, pipelines] = await Promise.all([ctx.api.leadFields(tenant.id), ctx.api.pipelines(tenant.id)]);
    return {
      settings: await accountSettings(ctx.db, tenant.id),
      fields: fields.map((f) => ({ id: f.id, name: f.name, type: f.type, enums: (f.enums ?? []).map((e) => ({ id: e.id, value: e.value })) })),
      pipelines: pipelines.map((p) => ({ id: p.id, name: p.name, statuses: p._embedded.statuses.map((s) => ({ id: s.id, name: s.name })) })),
    };
  });

  route('put', '/amocrm/widget/settings', async (c, koa) => {
    const { tenant } = connected(c);
    await admin(c, tenant.id);
    return { settings: await updateAccountSettings(ctx, tenant.id, await readJson(koa)) };
  });

  route('post', '/amocrm/widget/console-session', async (c) => {
    const { account, tenant } = connected(c);
    const u = await users.lookup(tenant.id, c.userId, { isAdmin: c.claims.is_admin });
    return { tenantId: tenant.id, accountId: account.accountId, user: { id: u.id, name: u.name, isAdmin: u.isAdmin }, locale: tenant.locale };
  });
}
