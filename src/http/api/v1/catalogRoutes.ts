import { z } from 'zod';
import { callerIdGroupSchema, dialPlanSchema, redialRuleSetSchema, transferDirectionSchema } from '../../../core/catalog.js';
import {
  callerIdGroupService,
  dialPlanService,
  redialRuleSetService,
  transferDirectionService,
  type SupportingEntity,
} from '../../../engine/catalog/supporting.js';
import type { Named } from '../../../store/repositories/namedEntities.js';
import { route, type AnyRoute } from '../../route.js';

/** CRUD routes for one supporting entity (redial-rule sets, caller-ID groups, dial plans, directions). */
function crud<T extends Record<string, unknown>>(o: { path: string; tag: string; noun: string; schema: z.ZodType; service: SupportingEntity<T> }): AnyRoute[] {
  const idParams = z.object({ id: z.uuid() });
  const toDto = (e: Named<T>) => ({ ...e, createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString(), tenantId: undefined });
  return [
    route({
      method: 'get',
      path: o.path,
      summary: `List ${o.noun}s`,
      tag: o.tag,
      access: 'userOrApiKey',
      handler: async ({ app, tenantId }) => ({ items: (await o.service.list(app, tenantId)).map(toDto) }),
    }),
    route({
      method: 'post',
      path: o.path,
      summary: `Create a ${o.noun}`,
      tag: o.tag,
      access: 'adminOrAdminKey',
      body: o.schema,
      status: 201,
      handler: async ({ app, tenantId, body }) => toDto(await o.service.create(app, tenantId, body)),
    }),
    route({
      method: 'get',
      path: `${o.path}/:id`,
      summary: `One ${o.noun}`,
      tag: o.tag,
      access: 'userOrApiKey',
      params: idParams,
      handler: async ({ app, tenantId, params }) => toDto(await o.service.get(app, tenantId, params.id)),
    }),
    route({
      method: 'put',
      path: `${o.path}/:id`,
      summary: `Change a ${o.noun}`,
      tag: o.tag,
      access: 'adminOrAdminKey',
      params: idParams,
      body: o.schema,
      handler: async ({ app, tenantId, params, body }) => toDto(await o.service.update(app, tenantId, params.id, body)),
    }),
    route({
      method: 'delete',
      path: `${o.path}/:id`,
      summary: `Delete a ${o.noun} no template uses`,
      tag: o.tag,
      access: 'adminOrAdminKey',
      params: idParams,
      handler: async ({ app, tenantId, params }) => {
        await o.service.remove(app, tenantId, params.id);
        return undefined;
      },
    }),
  ];
}

export const catalogRoutes: AnyRoute[] = [
  ...crud({ path: '/redial-rule-sets', tag: 'redial rule sets', noun: 'redial-rule set', schema: redialRuleSetSchema, service: redialRuleSetService }),
  ...crud({ path: '/caller-id-groups', tag: 'caller ID groups', noun: 'caller-ID group', schema: callerIdGroupSchema, service: callerIdGroupService }),
  ...crud({ path: '/dial-plans', tag: 'dial plans', noun: 'dial plan', schema: dialPlanSchema, service: dialPlanService }),
  ...crud({ path: '/transfer-directions', tag: 'transfer directions', noun: 'transfer direction', schema: transferDirectionSchema, service: transferDirectionService }),
];
