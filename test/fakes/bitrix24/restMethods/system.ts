import { isoDate } from '../clock.js';
import { asInt, asString, isRecord, param } from '../params.js';
import { RestError, errors } from '../restError.js';
import type { JsonValue, PortalUser } from '../types.js';
import { ok, requireAdmin, requireAppContext, type MethodTable } from './registry.js';

const USER_SCOPES = ['user', 'user_brief', 'user_basic'];

/** Events a handler can be bound to (uppercase); CRM add/update/delete events are generated. */
const KNOWN_EVENTS = new Set([
  'ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONAPPPAYMENT', 'ONAPPTEST', 'ONEXTERNALCALLSTART',
  'ONEXTERNALCALLBACKSTART', 'ONCRMTIMELINECOMMENTADD', 'ONCRMDEALMOVETOCATEGORY', 'ONUSERADD', 'ONOFFLINEEVENT',
  ...['DEAL', 'LEAD', 'CONTACT', 'COMPANY', 'ACTIVITY'].flatMap((e) => ['ADD', 'UPDATE', 'DELETE'].map((op) => `ONCRM${e}${op}`)),
]);

/** Placement codes this emulator knows (brief §6); SPA variants are matched by pattern. */
export const KNOWN_PLACEMENTS = [
  'CRM_DEAL_DETAIL_TAB', 'CRM_LEAD_DETAIL_TAB', 'CRM_CONTACT_DETAIL_TAB', 'CRM_COMPANY_DETAIL_TAB',
  'CRM_DEAL_DETAIL_ACTIVITY', 'CRM_LEAD_DETAIL_ACTIVITY', 'CRM_CONTACT_DETAIL_ACTIVITY', 'CRM_COMPANY_DETAIL_ACTIVITY',
  'CRM_DEAL_LIST_MENU', 'CRM_LEAD_LIST_MENU', 'CRM_CONTACT_LIST_MENU', 'CRM_COMPANY_LIST_MENU',
  'CRM_DEAL_LIST_TOOLBAR', 'CRM_LEAD_LIST_TOOLBAR', 'CRM_CONTACT_LIST_TOOLBAR', 'CRM_COMPANY_LIST_TOOLBAR',
  'CRM_DEAL_DETAIL_TOOLBAR', 'CRM_LEAD_DETAIL_TOOLBAR', 'CRM_CONTACT_DETAIL_TOOLBAR', 'CRM_COMPANY_DETAIL_TOOLBAR',
  'CRM_DEAL_ROBOT_DESIGNER_TOOLBAR', 'CRM_LEAD_ROBOT_DESIGNER_TOOLBAR',
  'CRM_DEAL_ACTIVITY_TIMELINE_MENU', 'CRM_LEAD_ACTIVITY_TIMELINE_MENU',
  'CRM_DEAL_DOCUMENTGENERATOR_BUTTON', 'LEFT_MENU', 'REST_APP_URI', 'PAGE_BACKGROUND_WORKER', 'TELEPHONY_ANALYTICS',
  'USER_PROFILE_MENU', 'USER_PROFILE_TOOLBAR',
];
const SPA_PLACEMENT = /^CRM_DYNAMIC_\d+_(DETAIL_TAB|DETAIL_ACTIVITY|LIST_MENU|LIST_TOOLBAR|DETAIL_TOOLBAR|ROBOT_DESIGNER_TOOLBAR|ACTIVITY_TIMELINE_MENU)$/;

export function isKnownPlacement(code: string): boolean {
  return KNOWN_PLACEMENTS.includes(code) || SPA_PLACEMENT.test(code);
}

/** `user.current` / `user.get` row (RD:user-current.md, batch.md example). */
export function userRow(user: PortalUser, now: number): Record<string, unknown> {
  return {
    ID: String(user.id),
    XML_ID: null,
    ACTIVE: user.active,
    NAME: user.name,
    LAST_NAME: user.lastName,
    SECOND_NAME: '',
    EMAIL: user.email,
    LAST_LOGIN: isoDate(now),
    DATE_REGISTER: '2023-08-24T03:00:00+03:00',
    IS_ONLINE: 'Y',
    TIME_ZONE: '',
    PERSONAL_GENDER: user.gender,
    PERSONAL_BIRTHDAY: '',
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: [1],
    UF_PHONE_INNER: user.phoneInner,
    USER_TYPE: 'employee',
  };
}

function jsonRecord(value: unknown): Record<string, JsonValue> {
  return isRecord(value) ? (JSON.parse(JSON.stringify(value)) as Record<string, JsonValue>) : {};
}

export const systemMethods: MethodTable = {
  'app.info': { scopes: [], run: (ctx) => ok(ctx.portal.appInfo()) },

  profile: {
    scopes: [],
    run: (ctx) =>
      ok({
        ID: String(ctx.auth.user.id),
        ADMIN: ctx.auth.user.admin,
        NAME: ctx.auth.user.name,
        LAST_NAME: ctx.auth.user.lastName,
        PERSONAL_GENDER: ctx.auth.user.gender,
        TIME_ZONE: '',
      }),
  },

  scope: { scopes: [], run: (ctx) => ok([...ctx.auth.scopes]) },

  'user.current': { scopes: USER_SCOPES, run: (ctx) => ok(userRow(ctx.auth.user, ctx.now)) },

  'user.get': {
    scopes: USER_SCOPES,
    run(ctx) {
      const filter = param(ctx.params, 'FILTER');
      const id = asInt(param(ctx.params, 'ID')) ?? (isRecord(filter) ? asInt(param(filter, 'ID')) : undefined);
      const users = [...ctx.portal.users.values()].filter((u) => id === undefined || u.id === id);
      return { result: users.map((u) => userRow(u, ctx.now)), total: users.length };
    },
  },

  'event.bind': {
    scopes: [],
    run(ctx) {
      requireAppContext(ctx);
      const event = asString(param(ctx.params, 'event'))?.toUpperCase() ?? '';
      const handler = asString(param(ctx.params, 'handler')) ?? '';
      const authType = asInt(param(ctx.params, 'auth_type')) ?? 0;
      const offline = asString(param(ctx.params, 'event_type'))?.toLowerCase() === 'offline';
      if (!KNOWN_EVENTS.has(event)) throw new RestError(400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');
      if (offline) requireAdmin(ctx, 'Access denied! Offline events binding requires administrator access rights');
      if (authType !== 0 && authType !== ctx.auth.user.id) {
        requireAdmin(ctx, 'Access denied! Event binding with AUTH_TYPE requires administrator access rights');
      }
      if (!offline && !/^https?:\/\//i.test(handler)) throw new RestError(400, 'ERROR_EVENT_HANDLER', 'Wrong handler URL');
      const dup = ctx.portal.events.some((b) => b.event === event && b.handler === handler && b.authType === authType);
      if (dup) throw new RestError(400, 'ERROR_CORE', 'Handler already binded');
      ctx.portal.events.push({ id: ctx.portal.nextBindingId(), event, handler, authType, offline });
      return ok(true);
    },
  },

  'event.unbind': {
    scopes: [],
    run(ctx) {
      requireAppContext(ctx);
      const event = asString(param(ctx.params, 'event'))?.toUpperCase();
      const handler = asString(param(ctx.params, 'handler'));
      const authType = asInt(param(ctx.params, 'auth_type'));
      const before = ctx.portal.events.length;
      const keep = ctx.portal.events.filter(
        (b) =>
          !((!event || b.event === event) && (!handler || b.handler === handler) && (authType === undefined || b.authType === authType)),
      );
      ctx.portal.events.splice(0, ctx.portal.events.length, ...keep);
      return ok({ count: before - keep.length });
    },
  },

  'event.get': {
    scopes: [],
    run(ctx) {
      requireAppContext(ctx);
      return ok(
        ctx.portal.events.map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authType), offline: b.offline ? 1 : 0 })),
      );
    },
  },

  'placement.bind': {
    scopes: ['placement'],
    run(ctx) {
      requireAppContext(ctx);
      requireAdmin(ctx);
      const placement = asString(param(ctx.params, 'PLACEMENT'))?.toUpperCase() ?? '';
      const handler = asString(param(ctx.params, 'HANDLER')) ?? '';
      // RD:widgets/placement-bind.md lists ERROR_ARGUMENT with HTTP 200.
      if (!placement) throw new RestError(200, 'ERROR_ARGUMENT', "Argument 'PLACEMENT' is null or empty", { argument: 'PLACEMENT' });
      if (!handler) throw new RestError(200, 'ERROR_ARGUMENT', "Argument 'HANDLER' is null or empty", { argument: 'HANDLER' });
      if (!isKnownPlacement(placement)) throw new RestError(400, 'ERROR_PLACEMENT_NOT_FOUND', 'Placement not found');
      if (placement.startsWith('CRM_') && !ctx.auth.scopes.has('crm')) throw errors.insufficientScope();
      if (!/^https?:\/\//i.test(handler)) throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
      const userId = asInt(param(ctx.params, 'USER_ID')) ?? 0;
      if (userId !== 0 && placement !== 'PAGE_BACKGROUND_WORKER') {
        throw new RestError(200, 'ERROR_PLACEMENT_USER_MODE', 'User mode is not available for this placement');
      }
      if (ctx.portal.placements.some((p) => p.placement === placement && p.handler === handler && p.userId === userId)) {
        throw new RestError(400, 'ERROR_CORE', 'Unable to set placement handler: Handler already binded');
      }
      const langAll = jsonRecord(param(ctx.params, 'LANG_ALL'));
      const langTitle = (field: string) => {
        const en = langAll[ctx.portal.lang] ?? Object.values(langAll)[0];
        return isRecord(en) ? asString(en[field]) : undefined;
      };
      ctx.portal.placements.push({
        id: ctx.portal.nextBindingId(),
        placement,
        handler,
        title: asString(param(ctx.params, 'TITLE')) ?? langTitle('TITLE') ?? '',
        description: asString(param(ctx.params, 'DESCRIPTION')) ?? langTitle('DESCRIPTION') ?? '',
        groupName: asString(param(ctx.params, 'GROUP_NAME')) ?? langTitle('GROUP_NAME') ?? '',
        langAll,
        options: jsonRecord(param(ctx.params, 'OPTIONS')),
        userId,
      });
      return ok(true);
    },
  },

  'placement.unbind': {
    scopes: ['placement'],
    run(ctx) {
      requireAppContext(ctx);
      requireAdmin(ctx);
      const placement = asString(param(ctx.params, 'PLACEMENT'))?.toUpperCase() ?? '';
      if (!placement) throw new RestError(200, 'ERROR_ARGUMENT', "Argument 'PLACEMENT' is null or empty", { argument: 'PLACEMENT' });
      const handler = asString(param(ctx.params, 'HANDLER'));
      const before = ctx.portal.placements.length;
      const keep = ctx.portal.placements.filter((p) => !(p.placement === placement && (!handler || p.handler === handler)));
      ctx.portal.placements.splice(0, ctx.portal.placements.length, ...keep);
      return ok({ count: before - keep.length });
    },
  },

  'placement.get': {
    scopes: ['placement'],
    run(ctx) {
      requireAppContext(ctx);
      requireAdmin(ctx);
      return ok(
        ctx.portal.placements.map((p) => ({
          placement: p.placement,
          userId: p.userId,
          handler: p.handler,
          options: Object.keys(p.options).length === 0 ? [] : p.options,
          title: p.title,
          description: p.description,
          langAll: p.langAll,
        })),
      );
    },
  },

  'placement.list': {
    scopes: ['placement'],
    run(ctx) {
      requireAppContext(ctx);
      return ok(KNOWN_PLACEMENTS.filter((p) => !p.startsWith('CRM_') || ctx.auth.scopes.has('crm')));
    },
  },
};
