import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { forbidden, unauthorized } from '../core/errors.js';
import { parseInput } from '../core/validation.js';
import type { AppContext } from '../context.js';
import { readJson } from './body.js';
import type { DozvonState, Principal } from './state.js';

/**
 * A JSON API route states its whole contract in one place: who may call it, the schemas of its
 * params, query and body (validated before the handler runs, typed inside it), and what it returns.
 * The same declarations generate the OpenAPI document, so the docs cannot drift from the code.
 */
/**
 * Who may call a route. A key has a role like a user (`manager` or `admin`), and the role counts:
 * - `public`: anyone;
 * - `user`: a signed-in console user of any role; keys are refused (the console's own views);
 * - `admin`: a console admin only; keys are refused (users, API keys, the webhook secret: a key
 *   must never mint keys or read secrets);
 * - `userOrApiKey`: any user or any key (what a manager may do: campaigns, numbers, reports, and
 *   reading the catalog, e.g. the templates an integration starts campaigns with);
 * - `adminOrAdminKey`: an admin user or a key with role `admin` (changing templates, scenarios,
 *   the catalog, limits);
 * - `apiKey`: any key.
 */
export type Access = 'public' | 'user' | 'admin' | 'apiKey' | 'userOrApiKey' | 'adminOrAdminKey';

export interface RouteInput<P, Q, B> {
  app: AppContext;
  ctx: Context & { state: DozvonState };
  params: P;
  query: Q;
  body: B;
  /** The JSON body as received, before the schema's defaults were applied (to tell "absent" from "default"). */
  rawBody: unknown;
  principal: Principal | undefined;
  /** The tenant of the caller (for authenticated routes). */
  tenantId: string;
}

export interface RouteSpec<P, Q, B> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Documentation of a non-JSON body (multipart upload). */
  bodyDoc?: { contentType: string; description: string };
  response?: z.ZodType;
  /** Documentation of a non-JSON response (file download). */
  responseDoc?: { contentType: string; description: string };
  status?: number;
  handler(input: RouteInput<P, Q, B>): Promise<unknown>;
}

export type AnyRoute = RouteSpec<unknown, unknown, unknown>;

export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as unknown as AnyRoute;
}

function allowed(access: Access, p: Principal | undefined): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'user':
      return p?.kind === 'user';
    case 'admin':
      return p?.kind === 'user' && p.role === 'admin';
    case 'apiKey':
      return p?.kind === 'apiKey';
    case 'userOrApiKey':
      return p !== undefined;
    case 'adminOrAdminKey':
      return p !== undefined && p.role === 'admin';
  }
}

export function mountRoutes(router: Router<DozvonState>, app: AppContext, routes: AnyRoute[]): void {
  for (const spec of routes) {
    router[spec.method](spec.path, async (ctx) => {
      const principal = ctx.state.principal;
      if (!allowed(spec.access, principal)) {
        if (!principal) throw unauthorized();
        throw forbidden();
      }
      const params = spec.params ? parseInput(spec.params, ctx.params, 'params') : {};
      const query = spec.query ? parseInput(spec.query, ctx.query, 'query') : {};
      const rawBody = spec.body ? await readJson(ctx) : undefined;
      const body = spec.body ? parseInput(spec.body, rawBody) : undefined;
      const result = await spec.handler({
        app,
        ctx: ctx as unknown as RouteInput<unknown, unknown, unknown>['ctx'],
        params,
        query,
        body,
        rawBody,
        principal,
        tenantId: principal?.tenantId ?? '',
      });
      if (result !== undefined && ctx.body === undefined) {
        ctx.status = spec.status ?? 200;
        ctx.body = result;
      } else if (result === undefined && ctx.body === undefined) {
        ctx.status = spec.status ?? 204;
      }
    });
  }
}

// --- OpenAPI -------------------------------------------------------------------------------------

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string(), reason: z.string() })),
    requestId: z.string(),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

export function openApiDocument(routes: AnyRoute[], o: { title: string; version: string; description: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}_${r.path.replace(/[/:]+/g, '_').replace(/^_|_$/g, '')}`,
      parameters,
      responses: {
        [String(r.status ?? (r.response || r.responseDoc ? 200 : 204))]: r.responseDoc
          ? { description: r.responseDoc.description, content: { [r.responseDoc.contentType]: {} } }
          : r.response
            ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
            : { description: 'Done' },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    if (r.bodyDoc) op.requestBody = { required: true, description: r.bodyDoc.description, content: { [r.bodyDoc.contentType]: {} } };
    if (r.access !== 'public') {
      op.security = r.access === 'apiKey' ? [{ apiKey: [] }] : r.access === 'userOrApiKey' || r.access === 'adminOrAdminKey' ? [{ bearer: [] }, { apiKey: [] }] : [{ bearer: [] }];
      op['x-dozvon-access'] = r.access;
    }
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: o.title, version: o.version, description: o.description },
    servers: [{ url: '/api/v1' }],
    paths,
    components: {
      schemas: { Error: jsonSchema(errorSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Console session from POST /auth/login' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'Calls API key' },
      },
    },
  };
}
