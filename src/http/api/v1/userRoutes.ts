import { z } from 'zod';
import { changeUser, createUser, listTenantUsers, newUserSchema, userPatchSchema } from '../../../engine/auth/users.js';
import type { User } from '../../../store/repositories/users.js';
import { route } from '../../route.js';

const userDto = z.object({
  id: z.uuid(),
  /** Null for a CRM user (signed in by their Bitrix24 portal or amoCRM account). */
  email: z.string().nullable(),
  name: z.string(),
  role: z.enum(['admin', 'manager']),
  locale: z.enum(['ru', 'en']),
  disabled: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  /** The CRM's user id of a CRM user ('bitrix24:17'); null for console users. */
  externalId: z.string().nullable(),
});
const toDto = (u: User): z.infer<typeof userDto> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  locale: u.locale,
  disabled: u.disabled,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  externalId: u.externalId,
});
const idParams = z.object({ id: z.uuid() });

export const userRoutes = [
  route({
    method: 'get',
    path: '/users',
    summary: 'List console users',
    tag: 'users',
    access: 'admin',
    response: z.object({ users: z.array(userDto) }),
    handler: async ({ app, tenantId }) => ({ users: (await listTenantUsers(app, tenantId)).map(toDto) }),
  }),
  route({
    method: 'post',
    path: '/users',
    summary: 'Create a user (admin or manager)',
    tag: 'users',
    access: 'admin',
    body: newUserSchema,
    status: 201,
    response: userDto,
    handler: async ({ app, tenantId, body }) => toDto(await createUser(app, tenantId, body)),
  }),
  route({
    method: 'patch',
    path: '/users/:id',
    summary: 'Change name, role, language, password; disable or enable',
    tag: 'users',
    access: 'admin',
    params: idParams,
    body: userPatchSchema,
    response: userDto,
    handler: async ({ app, tenantId, params, body, principal }) =>
      toDto(await changeUser(app, tenantId, principal?.kind === 'user' ? principal.userId : '', params.id, body)),
  }),
];
