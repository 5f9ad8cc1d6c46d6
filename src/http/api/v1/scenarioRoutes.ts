import { z } from 'zod';
import { notFound, validationFailed } from '../../../core/errors.js';
import { createScenario, deleteScenario, updateScenario } from '../../../engine/catalog/scenarios.js';
import { ELEMENTS } from '../../../scenario/elements/index.js';
import { scenarioGraphSchema, type ScenarioGraph } from '../../../scenario/schema.js';
import { validateScenario } from '../../../scenario/validate.js';
import { findVersioned, listVersioned, listVersions, SCENARIOS } from '../../../store/repositories/versioned.js';
import { route } from '../../route.js';
import { toVersionedDto, versionedDto } from './dto.js';

const idParams = z.object({ id: z.uuid() });
const dto = versionedDto(scenarioGraphSchema, 'graph');
const ifVersion = z.object({ expectedVersion: z.coerce.number().int().min(1).optional() });

export const scenarioRoutes = [
  route({
    method: 'get',
    path: '/scenarios',
    summary: 'List voice-bot scenarios',
    tag: 'scenarios',
    access: 'userOrApiKey',
    response: z.object({ scenarios: z.array(dto) }),
    handler: async ({ app, tenantId }) => ({
      scenarios: (await listVersioned<ScenarioGraph>(app.db, SCENARIOS, tenantId)).map((s) => toVersionedDto(s, 'graph')),
    }),
  }),
  route({
    method: 'post',
    path: '/scenarios',
    summary: 'Create a scenario (validated: unknown elements, dangling exits, unreachable nodes, undeclared variables, loops)',
    tag: 'scenarios',
    access: 'adminOrAdminKey',
    body: scenarioGraphSchema,
    status: 201,
    response: dto,
    handler: async ({ app, tenantId, principal, body }) =>
      toVersionedDto(await createScenario(app, tenantId, principal?.kind === 'user' ? principal.userId : null, body), 'graph'),
  }),
  route({
    method: 'post',
    path: '/scenarios/validate',
    summary: 'Check a scenario without saving it',
    tag: 'scenarios',
    access: 'userOrApiKey',
    body: z.unknown(),
    response: z.object({ ok: z.literal(true) }),
    handler: async ({ body }) => {
      const r = validateScenario(body);
      if (!r.ok) throw validationFailed(r.issues);
      return { ok: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/scenario-elements',
    summary: 'The elements a scenario can use, with their settings schema and exits',
    tag: 'scenarios',
    access: 'userOrApiKey',
    response: z.object({ elements: z.array(z.object({ type: z.string(), spec: z.string(), needs: z.string(), settings: z.unknown() })) }),
    handler: async () => ({
      elements: Object.values(ELEMENTS).map((e) => ({
        type: e.type,
        spec: e.spec,
        needs: e.needs,
        settings: z.toJSONSchema(e.settingsSchema as z.ZodType, { io: 'input', unrepresentable: 'any' }),
      })),
    }),
  }),
  route({
    method: 'get',
    path: '/scenarios/:id',
    summary: 'One scenario (current version)',
    tag: 'scenarios',
    access: 'userOrApiKey',
    params: idParams,
    response: dto,
    handler: async ({ app, tenantId, params }) => {
      const s = await findVersioned<ScenarioGraph>(app.db, SCENARIOS, tenantId, params.id);
      if (!s) throw notFound('scenario', params.id);
      return toVersionedDto(s, 'graph');
    },
  }),
  route({
    method: 'put',
    path: '/scenarios/:id',
    summary: 'Change a scenario: a new version, used from the next call on',
    tag: 'scenarios',
    access: 'adminOrAdminKey',
    params: idParams,
    query: ifVersion,
    body: scenarioGraphSchema,
    response: dto,
    handler: async ({ app, tenantId, principal, params, query, body }) =>
      toVersionedDto(
        await updateScenario(app, tenantId, principal?.kind === 'user' ? principal.userId : null, params.id, body, query.expectedVersion),
        'graph',
      ),
  }),
  route({
    method: 'delete',
    path: '/scenarios/:id',
    summary: 'Delete a scenario no template uses',
    tag: 'scenarios',
    access: 'adminOrAdminKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      await deleteScenario(app, tenantId, params.id);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/scenarios/:id/versions',
    summary: 'Version history of a scenario',
    tag: 'scenarios',
    access: 'userOrApiKey',
    params: idParams,
    response: z.object({ versions: z.array(z.object({ versionId: z.uuid(), version: z.number(), graph: z.unknown(), createdAt: z.string() })) }),
    handler: async ({ app, tenantId, params }) => {
      const versions = await listVersions<ScenarioGraph>(app.db, SCENARIOS, tenantId, params.id);
      if (versions.length === 0) throw notFound('scenario', params.id);
      return { versions: versions.map((v) => ({ versionId: v.versionId, version: v.version, graph: v.body, createdAt: v.createdAt.toISOString() })) };
    },
  }),
];
