import { z } from 'zod';
import { notFound } from '../../../core/errors.js';
import { templateSettingsSchema, type TemplateSettings } from '../../../core/template.js';
import { buildClientsTemplate } from '../../../engine/clientsFile/index.js';
import type { ScenarioGraph } from '../../../scenario/schema.js';
import { createTemplate, deleteTemplate, updateTemplate } from '../../../engine/catalog/templates.js';
import { findVersioned, listVersioned, listVersions, SCENARIOS, TEMPLATES } from '../../../store/repositories/versioned.js';
import { route } from '../../route.js';
import { toVersionedDto, versionedDto } from './dto.js';

const idParams = z.object({ id: z.uuid() });
const dto = versionedDto(templateSettingsSchema, 'settings');
const ifVersion = z.object({ expectedVersion: z.coerce.number().int().min(1).optional() });

export const templateRoutes = [
  route({
    method: 'get',
    path: '/templates',
    summary: 'List call-task templates',
    tag: 'templates',
    access: 'userOrApiKey',
    response: z.object({ templates: z.array(dto) }),
    handler: async ({ app, tenantId }) => ({
      templates: (await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId)).map((t) => toVersionedDto(t, 'settings')),
    }),
  }),
  route({
    method: 'post',
    path: '/templates',
    summary: 'Create a call-task template',
    tag: 'templates',
    access: 'adminOrAdminKey',
    body: templateSettingsSchema,
    status: 201,
    response: dto,
    handler: async ({ app, tenantId, principal, body }) =>
      toVersionedDto(await createTemplate(app, tenantId, principal?.kind === 'user' ? principal.userId : null, body), 'settings'),
  }),
  route({
    method: 'get',
    path: '/templates/:id',
    summary: 'One template (current version)',
    tag: 'templates',
    access: 'userOrApiKey',
    params: idParams,
    response: dto,
    handler: async ({ app, tenantId, params }) => {
      const t = await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId, params.id);
      if (!t) throw notFound('template', params.id);
      return toVersionedDto(t, 'settings');
    },
  }),
  route({
    method: 'put',
    path: '/templates/:id',
    summary: 'Change a template: writes a new version (attempts keep the version they ran)',
    tag: 'templates',
    access: 'adminOrAdminKey',
    params: idParams,
    query: ifVersion,
    body: templateSettingsSchema,
    response: dto,
    handler: async ({ app, tenantId, principal, params, query, body }) =>
      toVersionedDto(
        await updateTemplate(app, tenantId, principal?.kind === 'user' ? principal.userId : null, params.id, body, query.expectedVersion),
        'settings',
      ),
  }),
  route({
    method: 'delete',
    path: '/templates/:id',
    summary: 'Delete a template (its CRM robot / action is removed too)',
    tag: 'templates',
    access: 'adminOrAdminKey',
    params: idParams,
    handler: async ({ app, tenantId, params }) => {
      await deleteTemplate(app, tenantId, params.id);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/templates/:id/versions',
    summary: 'Version history of a template',
    tag: 'templates',
    access: 'userOrApiKey',
    params: idParams,
    response: z.object({ versions: z.array(z.object({ versionId: z.uuid(), version: z.number(), settings: templateSettingsSchema, createdAt: z.string() })) }),
    handler: async ({ app, tenantId, params }) => {
      const versions = await listVersions<TemplateSettings>(app.db, TEMPLATES, tenantId, params.id);
      if (versions.length === 0) throw notFound('template', params.id);
      return { versions: versions.map((v) => ({ versionId: v.versionId, version: v.version, settings: v.body, createdAt: v.createdAt.toISOString() })) };
    },
  }),
  route({
    method: 'get',
    path: '/templates/:id/clients-file',
    summary: 'Download a clients-file template (T2): the phone column plus the scenario variables',
    tag: 'templates',
    access: 'userOrApiKey',
    params: idParams,
    query: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') }),
    responseDoc: { contentType: 'text/csv | application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', description: 'the file' },
    handler: async ({ app, tenantId, params, query, ctx }) => {
      const t = await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId, params.id);
      if (!t) throw notFound('template', params.id);
      const scenario = await findVersioned<ScenarioGraph>(app.db, SCENARIOS, tenantId, t.body.scenarioId);
      const file = await buildClientsTemplate({
        format: query.format,
        variables: (scenario?.body.variables ?? []).map((v) => ({ name: v.name, description: v.description })),
        locale: ctx.state.locale,
        country: t.body.country,
      });
      ctx.set('Content-Disposition', `attachment; filename="${file.filename}"`);
      ctx.type = file.contentType;
      ctx.body = file.body;
      return undefined;
    },
  }),
];
