import { z } from 'zod';
import { unauthorized } from '../../../core/errors.js';
import { isSetupDone, login, setupFirstAdmin, setupSchema } from '../../../engine/auth/users.js';
import { findUser } from '../../../store/repositories/users.js';
import { route } from '../../route.js';

const userDto = z.object({ id: z.uuid(), email: z.string().nullable(), name: z.string(), role: z.enum(['admin', 'manager']), locale: z.enum(['ru', 'en']) });
const pickUser = (u: z.infer<typeof userDto>) => ({ id: u.id, email: u.email, name: u.name, role: u.role, locale: u.locale });

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
    summary: 'Create the first admin with the one-time setup code from $DATA_DIR/setup-code.txt',
    tag: 'auth',
    access: 'public',
    body: setupSchema,
    status: 201,
    response: z.object({ token: z.string(), user: userDto }),
    handler: async ({ app, body }) => {
      await setupFirstAdmin(app, body);
      const { token, user } = await login(app, body.email, body.password);
      return { token, user: pickUser(user) };
    },
  }),
  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in; returns a session token (12 h) for the Authorization: Bearer header',
    tag: 'auth',
    access: 'public',
    body: z.object({ email: z.string().min(1).max(200), password: z.string().min(1).max(200) }).strict(),
    response: z.object({ token: z.string(), user: userDto }),
    handler: async ({ app, body }) => {
      const { token, user } = await login(app, body.email, body.password);
      return { token, user: pickUser(user) };
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
