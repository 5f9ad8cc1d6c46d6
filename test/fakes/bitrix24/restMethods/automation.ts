import { asInt, asString, param } from '../params.js';
import { crmError, errors } from '../restError.js';
import { ok, requireAppContext, type CallContext, type MethodTable } from './registry.js';

/**
 * Application triggers of CRM automation (RD:api-reference/crm/automation/triggers/*.md): an app
 * registers a trigger (`CODE`, `NAME`), an administrator links it to a stage in the automation
 * settings, and the app fires it for an item with `crm.automation.trigger.execute`. Every method
 * needs application context and an administrator's token; errors other than those two carry an
 * empty code with HTTP 400, as the docs list them.
 *
 * The emulator keeps the registered triggers and records every execution (`portal.triggerRuns()`);
 * it does not move items between stages (no automation rules are modelled). `execute` answers
 * `true` even when no item with that id exists, as documented.
 */
const CODE = /^[a-z0-9._-]+$/i;
/** crm.enum.ownertype: lead, deal, contact, company, quote, invoice (new), SPAs from 1000. */
const OWNER_TYPES = new Set([1, 2, 3, 4, 7, 31]);

function guard(ctx: CallContext): void {
  requireAppContext(ctx, () => errors.accessDenied('Access denied! Application context required'));
  if (!ctx.auth.user.admin) throw errors.accessDenied('Access denied! Admin permissions required');
}

function code(ctx: CallContext): string {
  const value = asString(param(ctx.params, 'CODE')) ?? '';
  if (!value || value === '0') throw crmError('Empty trigger code!');
  if (!CODE.test(value)) throw crmError('Wrong trigger code!');
  return value;
}

export const automationMethods: MethodTable = {
  'crm.automation.trigger.add': {
    scopes: ['crm'],
    run(ctx) {
      guard(ctx);
      const c = code(ctx);
      const name = asString(param(ctx.params, 'NAME')) ?? '';
      if (!name.trim() || name === '0') throw crmError('Empty trigger name!');
      // An existing CODE only gets its name updated (RD:crm-automation-trigger-add.md).
      ctx.portal.triggers.set(c, { code: c, name });
      return ok(true);
    },
  },

  'crm.automation.trigger.list': {
    scopes: ['crm'],
    run(ctx) {
      guard(ctx);
      return ok([...ctx.portal.triggers.values()].map((t) => ({ NAME: t.name, CODE: t.code })));
    },
  },

  'crm.automation.trigger.delete': {
    scopes: ['crm'],
    run(ctx) {
      guard(ctx);
      if (!ctx.portal.triggers.delete(code(ctx))) throw crmError('Trigger not found');
      return ok(true);
    },
  },

  'crm.automation.trigger.execute': {
    scopes: ['crm'],
    run(ctx) {
      guard(ctx);
      const c = code(ctx);
      if (!ctx.portal.triggers.has(c)) throw crmError(`Trigger with code ${c} is not registered.`);
      const ownerTypeId = asInt(param(ctx.params, 'OWNER_TYPE_ID'));
      if (ownerTypeId === undefined || !(OWNER_TYPES.has(ownerTypeId) || ownerTypeId >= 1000)) throw crmError('Incorrect parameter OWNER_TYPE_ID.');
      const ownerId = asInt(param(ctx.params, 'OWNER_ID'));
      if (ownerId === undefined || ownerId <= 0) throw crmError('Incorrect parameter OWNER_ID.');
      ctx.portal.triggerRuns.push({ at: ctx.now, code: c, ownerTypeId, ownerId, userId: ctx.auth.user.id });
      return ok(true);
    },
  },
};
