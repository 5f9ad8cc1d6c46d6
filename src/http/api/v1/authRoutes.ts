import { z } from 'zod';
import { notFound, unauthorized } from '../../../core/errors.js';
import { endSession, liveSessions, type ClientInfo } from '../../../engine/auth/sessions.js';
import { changeOwnPassword, isSetupDone, login, ownPasswordSchema, sessionFor, setupFirstAdmin, setupSchema } from '../../../engine/auth/users.js';
import { findUser } from '../../../store/repositories/users.js';
import { route, type RouteInput } from '../../route.js';

const userDto = z.object({ id: z.uuid(), email: z.string().nullable(), name: z.string(), role: z.enum(['admin', 'manager']), locale: z.enum(['ru', 'en']) });
const pickUser = (u: z.infer<typeof userDto>) => ({ id: u.id, email: u.email, name: u.name, role: u.role, locale: u.locale });

const sessionDto = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  /** The session this request was made with. */
  current: z.boolean(),
});

type Input = RouteInput<unknown, unknown, unknown>;
const clientOf = (ctx: Input['ctx']): ClientInfo => ({ ip: ctx.ip || undefined, userAgent: ctx.get('user-agent') || undefined });

/** The signed-in user's id and session; the routes below are for console sessions only. */
function sessionOf(principal: Input['principal']): { userId: string; sessionId: string } {
  if (principal?.kind !== 'user' || !principal.sessionId) throw unauthorized();
  return { userId: principal.userId, sessionId: principal.sessionId };
}

/**
 * Sign-in, the first admin, and the user's own sessions. Responses carrying a token are never
 * cached (`Cache-Control: no-store`, as every /api response). Failed sign-ins and setup codes are
 * limited per account and per client address (429 with Retry-After).
 */
export const authRoutes = [
  route({
    method: 'get',
    path: '/setup',
    summary: 'Whether the first admin still has to be created',
    tag: 'auth',
    access: 'public',
    response: z.object({ setupRequired: z.boolean() }),
    handler: async ({ app }) => ({ setupRequired: !(await isSetupDone(app)) }),
  }),
  route({
    method: 'post',
    path: '/setup',
    summary: 'Create the first admin with the one-time setup code from $DATA_DIR/setup-code.txt (wrong codes are rate-limited)',
    tag: 'auth',
    access: 'public',
    body: setupSchema,
    status: 201,
    response: z.object({ token: z.string(), user: userDto }),
    handler: async ({ app, body, ctx }) => {
      const client = clientOf(ctx);
      const user = await setupFirstAdmin(app, body, client);
      const { token } = await sessionFor(app, user, client);
      return { token, user: pickUser(user) };
    },
  }),
  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in; returns a session token (12 h) for the Authorization: Bearer header. Failures are limited per account and per address (429 + Retry-After)',
    tag: 'auth',
    access: 'public',
    body: z.object({ email: z.string().min(1).max(200), password: z.string().min(1).max(200) }).strict(),
    response: z.object({ token: z.string(), user: userDto }),
    handler: async ({ app, body, ctx }) => {
      const { token, user } = await login(app, body.email, body.password, clientOf(ctx));
      return { token, user: pickUser(user) };
    },
  }),
  route({
    method: 'post',
    path: '/auth/logout',
    summary: 'End this session (its token stops working)',
    tag: 'auth',
    access: 'user',
    handler: async ({ app, principal }) => {
      const { userId, sessionId } = sessionOf(principal);
      await endSession(app.db, userId, sessionId);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/auth/sessions',
    summary: 'Your sessions that are still valid, most recently used first',
    tag: 'auth',
    access: 'user',
    response: z.object({ sessions: z.array(sessionDto) }),
    handler: async ({ app, principal }) => {
      const { userId, sessionId } = sessionOf(principal);
      const sessions = await liveSessions(app.db, userId);
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          userAgent: s.userAgent,
          ip: s.ip,
          current: s.id === sessionId,
        })),
      };
    },
  }),
  route({
    method: 'delete',
    path: '/auth/sessions/:id',
    summary: 'End one of your sessions (e.g. a browser left signed in elsewhere)',
    tag: 'auth',
    access: 'user',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, principal, params }) => {
      const { userId } = sessionOf(principal);
      if (!(await endSession(app.db, userId, params.id))) throw notFound('session', params.id);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/auth/password',
    summary: 'Change your own password: every other session ends; the new token replaces this one',
    tag: 'auth',
    access: 'user',
    body: ownPasswordSchema,
    response: z.object({ token: z.string() }),
    handler: async ({ app, principal, body, ctx }) => {
      const { userId } = sessionOf(principal);
      const { token } = await changeOwnPassword(app, userId, body, clientOf(ctx));
      return { token };
    },
  }),
  route({
    method: 'get',
    path: '/auth/me',
    summary: 'The signed-in user',
    tag: 'auth',
    access: 'user',
    response: userDto,
    handler: async ({ app, principal }) => {
      const u = principal?.kind === 'user' ? await findUser(app.db, principal.userId) : undefined;
      if (!u) throw unauthorized();
      return pickUser(u);
    },
  }),
];
