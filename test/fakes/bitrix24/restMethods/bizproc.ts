import { asInt, asString, isRecord, param, type Params } from '../params.js';
import { RestError, errors } from '../restError.js';
import type { JsonValue, RobotView } from '../types.js';
import { finish, settleTimeout, type WorkflowState } from '../workflowState.js';
import { ok, requireAdmin, requireAppContext, type CallContext, type MethodTable } from './registry.js';

const validation = (text: string) => new RestError(400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', text);
const json = (v: unknown): JsonValue => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue));

/** Robots are managed by an admin in application context (brief §2.1, §2.2). */
function guard(ctx: CallContext): void {
  requireAppContext(ctx, () => errors.accessDenied('Application context required'));
  requireAdmin(ctx, 'Access denied!');
}

function checkName(value: unknown): boolean {
  if (typeof value === 'string') return value.trim().length > 0;
  return isRecord(value) && Object.values(value).some((v) => typeof v === 'string' && v.trim().length > 0);
}

function checkProperties(value: unknown): Record<string, JsonValue> {
  if (value === undefined || value === null || value === '') return {};
  if (!isRecord(value)) throw validation('Wrong properties array!');
  for (const [key, prop] of Object.entries(value)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) throw validation(`Wrong property key ${key}!`);
    if (!isRecord(prop) || !checkName(param(prop, 'Name'))) throw validation(`Empty property NAME ${key}!`);
  }
  return json(value) as Record<string, JsonValue>;
}

/**
 * HANDLER rules of bizproc.robot.add: http(s) only, a parsable URL, on the same host as the
 * app's own handler (brief §2.1 "must be on the same domain as the app").
 */
function checkHandler(ctx: CallContext, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RestError(400, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol');
  }
  const appHost = new URL(ctx.portal.app.handlerUrl).hostname;
  if (parsed.hostname !== appHost) throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
}

function applyRobotFields(ctx: CallContext, robot: RobotView, fields: Params): void {
  const handler = param(fields, 'HANDLER');
  if (handler !== undefined) {
    checkHandler(ctx, asString(handler) ?? '');
    robot.handler = asString(handler) ?? '';
  }
  const authUser = asInt(param(fields, 'AUTH_USER_ID'));
  if (authUser !== undefined) robot.authUserId = authUser;
  const sub = param(fields, 'USE_SUBSCRIPTION');
  if (sub !== undefined) robot.useSubscription = (asString(sub) ?? '').toUpperCase();
  const name = param(fields, 'NAME');
  if (name !== undefined) {
    if (!checkName(name)) throw validation('Empty activity NAME!');
    robot.name = json(name);
  }
  const description = param(fields, 'DESCRIPTION');
  if (description !== undefined) robot.description = json(description);
  const props = param(fields, 'PROPERTIES');
  if (props !== undefined) robot.properties = checkProperties(props);
  const returns = param(fields, 'RETURN_PROPERTIES');
  if (returns !== undefined) robot.returnProperties = checkProperties(returns);
  const docType = param(fields, 'DOCUMENT_TYPE');
  if (docType !== undefined) {
    if (!Array.isArray(docType) || docType.length !== 3) throw validation('Wrong activity DOCUMENT_TYPE!');
    robot.documentType = json(docType);
  }
  const filter = param(fields, 'FILTER');
  if (filter !== undefined) {
    if (!isRecord(filter)) throw validation('Wrong activity FILTER!');
    robot.filter = json(filter);
  }
  const usePlacement = param(fields, 'USE_PLACEMENT');
  if (usePlacement !== undefined) robot.usePlacement = (asString(usePlacement) ?? '').toUpperCase() === 'Y';
  const placementHandler = param(fields, 'PLACEMENT_HANDLER');
  if (placementHandler !== undefined) robot.placementHandler = asString(placementHandler) ?? null;
  if (robot.usePlacement) {
    if (!robot.placementHandler) throw validation('Empty PLACEMENT_HANDLER!');
    checkHandler(ctx, robot.placementHandler);
  }
}

/** Finds the waiting workflow an `event_token` belongs to; anything else is 403 (gotcha 14). */
function liveWorkflow(ctx: CallContext): WorkflowState {
  const token = asString(param(ctx.params, 'EVENT_TOKEN')) ?? '';
  const wf = token ? [...ctx.portal.workflows.values()].find((w) => w.eventToken === token) : undefined;
  if (!wf) throw errors.accessDenied('Access denied!');
  settleTimeout(wf, ctx.now);
  if (!wf.waits || wf.status !== 'waiting') throw errors.accessDenied('Access denied!');
  return wf;
}

export const bizprocMethods: MethodTable = {
  'bizproc.robot.add': {
    scopes: ['bizproc'],
    run(ctx) {
      guard(ctx);
      if (Object.keys(ctx.params).filter((k) => k !== 'auth' && !k.startsWith('bx24_')).length === 0) throw validation('Empty data!');
      const code = asString(param(ctx.params, 'CODE')) ?? '';
      if (!code) throw validation('Empty activity code!');
      if (!/^[a-zA-Z0-9._-]+$/.test(code)) throw validation('Wrong activity code!');
      if (!asString(param(ctx.params, 'HANDLER'))) throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
      if (!checkName(param(ctx.params, 'NAME'))) throw validation('Empty activity NAME!');
      if (ctx.portal.robots.has(code)) {
        throw new RestError(400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Automation rule already installed!');
      }
      const robot: RobotView = {
        code,
        handler: '',
        authUserId: ctx.auth.user.id,
        useSubscription: '',
        name: null,
        description: null,
        properties: {},
        returnProperties: {},
        documentType: null,
        filter: null,
        usePlacement: false,
        placementHandler: null,
      };
      applyRobotFields(ctx, robot, ctx.params);
      ctx.portal.robots.set(code, robot);
      return ok(true);
    },
  },

  'bizproc.robot.update': {
    scopes: ['bizproc'],
    run(ctx) {
      guard(ctx);
      const code = asString(param(ctx.params, 'CODE')) ?? '';
      if (!code) throw validation('Empty activity code!');
      const robot = ctx.portal.robots.get(code);
      if (!robot) throw new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Automation rule not found!');
      const fields = param(ctx.params, 'FIELDS');
      if (!isRecord(fields) || Object.keys(fields).length === 0) throw validation('Empty data!');
      const draft: RobotView = { ...robot };
      applyRobotFields(ctx, draft, fields);
      ctx.portal.robots.set(code, draft);
      return ok(true);
    },
  },

  'bizproc.robot.delete': {
    scopes: ['bizproc'],
    run(ctx) {
      guard(ctx);
      const code = asString(param(ctx.params, 'CODE')) ?? '';
      if (!ctx.portal.robots.delete(code)) {
        throw new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Automation rule not found!');
      }
      return ok(true);
    },
  },

  'bizproc.robot.list': {
    scopes: ['bizproc'],
    run(ctx) {
      guard(ctx);
      return ok([...ctx.portal.robots.keys()]);
    },
  },

  'bizproc.event.send': {
    scopes: ['bizproc'],
    run(ctx) {
      const wf = liveWorkflow(ctx);
      const values = param(ctx.params, 'RETURN_VALUES');
      wf.returnValues = isRecord(values) ? values : {};
      const message = asString(param(ctx.params, 'LOG_MESSAGE'));
      if (message) wf.logs.push({ at: ctx.now, message });
      finish(wf, 'completed', ctx.now);
      return ok(true);
    },
  },

  'bizproc.activity.log': {
    scopes: ['bizproc'],
    run(ctx) {
      const wf = liveWorkflow(ctx);
      const message = asString(param(ctx.params, 'LOG_MESSAGE')) ?? '';
      if (!message) throw new RestError(400, 'ERROR_EMPTY_LOG_MESSAGE', 'Empty log message!');
      wf.logs.push({ at: ctx.now, message });
      return ok(true);
    },
  },
};
