import { z } from 'zod';
import { notFound } from '../../../core/errors.js';
import { OUTCOMES } from '../../../core/outcome.js';
import { placeTestCall } from '../../../engine/placeTestCall.js';
import { waitForAttempt } from '../../../engine/waitForAttempt.js';
import { VARIABLE_NAME } from '../../../scenario/variables.js';
import { findAttempt, listAttempts } from '../../../store/repositories/attempts.js';
import { route } from '../../route.js';
import { attemptDto, toAttemptDto } from './dto.js';

const variables = z.record(z.string().regex(VARIABLE_NAME), z.string().max(1000)).default({});

export const callRoutes = [
  route({
    method: 'post',
    path: '/test-calls',
    summary: 'Place a single test call with a template to any number',
    tag: 'calls',
    access: 'user',
    body: z.object({ templateId: z.uuid(), phone: z.string().min(1).max(40), variables }).strict(),
    status: 202,
    response: attemptDto,
    handler: async ({ app, tenantId, principal, body }) =>
      toAttemptDto(
        app,
        await placeTestCall(app, {
          tenantId,
          userId: principal?.kind === 'user' ? principal.userId : null,
          templateId: body.templateId,
          phone: body.phone,
          variables: body.variables,
        }),
      ),
  }),
  route({
    method: 'get',
    path: '/attempts',
    summary: 'Attempts, newest first (keyset paging with ?before=<attempt id>)',
    tag: 'calls',
    access: 'userOrApiKey',
    query: z.object({
      campaignId: z.uuid().optional(),
      kind: z.enum(['test', 'campaign']).optional(),
      phone: z.string().max(40).optional(),
      outcome: z.enum(OUTCOMES).optional(),
      before: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ attempts: z.array(attemptDto), next: z.uuid().nullable() }),
    handler: async ({ app, tenantId, query }) => {
      const anchor = query.before ? await findAttempt(app.db, tenantId, query.before) : undefined;
      const rows = await listAttempts(app.db, {
        tenantId,
        campaignId: query.campaignId,
        kind: query.kind,
        phone: query.phone,
        outcome: query.outcome,
        before: anchor ? { createdAt: anchor.createdAt, id: anchor.id } : undefined,
        limit: query.limit,
      });
      return { attempts: rows.map((a) => toAttemptDto(app, a)), next: rows.length === query.limit ? rows[rows.length - 1]!.id : null };
    },
  }),
  route({
    method: 'get',
    path: '/attempts/:id',
    summary: 'One attempt; ?wait=N waits up to N seconds for it to finish',
    tag: 'calls',
    access: 'userOrApiKey',
    params: z.object({ id: z.uuid() }),
    query: z.object({ wait: z.coerce.number().min(0).max(120).default(0) }),
    response: attemptDto,
    handler: async ({ app, tenantId, params, query }) => {
      const a = await waitForAttempt(app, tenantId, params.id, query.wait * 1000);
      if (!a) throw notFound('attempt', params.id);
      return toAttemptDto(app, a);
    },
  }),
];
