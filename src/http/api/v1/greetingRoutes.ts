import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { badRequest } from '../../../core/errors.js';
import { removeGreeting, uploadGreeting } from '../../../engine/catalog/greetings.js';
import { signedMediaUrl } from '../../../engine/recordingUrls.js';
import { listMedia, type Media } from '../../../store/repositories/media.js';
import { readMultipart } from '../../body.js';
import { route } from '../../route.js';

const greetingDto = z.object({ id: z.uuid(), name: z.string(), sizeBytes: z.number(), durationMs: z.number(), url: z.string(), createdAt: z.string() });

const toDto = (app: AppContext, m: Media): z.infer<typeof greetingDto> => ({
  id: m.id,
  name: m.name,
  sizeBytes: m.sizeBytes,
  durationMs: m.durationMs,
  url: signedMediaUrl(app, m.id, 86400_000),
  createdAt: m.createdAt.toISOString(),
});

export const greetingRoutes = [
  route({
    method: 'get',
    path: '/greetings',
    summary: 'Uploaded AMD greetings',
    tag: 'templates',
    access: 'userOrApiKey',
    response: z.object({ greetings: z.array(greetingDto) }),
    handler: async ({ app, tenantId }) => ({ greetings: (await listMedia(app.db, tenantId, 'greeting')).map((m) => toDto(app, m)) }),
  }),
  route({
    method: 'post',
    path: '/greetings',
    summary: 'Upload a .wav greeting played while answering-machine detection runs',
    tag: 'templates',
    access: 'adminOrAdminKey',
    bodyDoc: { contentType: 'multipart/form-data', description: 'field "file": the .wav; optional field "name"' },
    status: 201,
    response: greetingDto,
    handler: async ({ app, tenantId, ctx }) => {
      const { fields, files } = await readMultipart(ctx, { limitBytes: app.config.uploadLimitBytes });
      const file = files.find((f) => f.field === 'file');
      if (!file) throw badRequest('errors.file_missing', { field: 'file' });
      return toDto(app, await uploadGreeting(app, tenantId, file, fields.name));
    },
  }),
  route({
    method: 'delete',
    path: '/greetings/:id',
    summary: 'Delete a greeting no template uses',
    tag: 'templates',
    access: 'adminOrAdminKey',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, tenantId, params }) => {
      await removeGreeting(app, tenantId, params.id);
      return undefined;
    },
  }),
];
