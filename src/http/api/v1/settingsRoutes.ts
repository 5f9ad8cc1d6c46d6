import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey, apiKeyInputSchema } from '../../../engine/auth/apiKeys.js';
import { monthOf, monthUsage, tenantLimits } from '../../../engine/campaigns/budget.js';
import { webhookDefaults } from '../../../engine/console/tenantSettings.js';
import { webhookSecretOf } from '../../../engine/outbox/webhookDeliveries.js';
import { findTenant, updateTenant } from '../../../store/repositories/tenants.js';
import { route } from '../../route.js';

/** Tenant settings: Calls API keys, the webhook signing secret, limits (minute budget, lines). */
const limitsSchema = z
  .object({
    minuteBudget: z.number().int().min(0).max(100_000_000).nullable(),
    maxConcurrentCalls: z.number().int().min(1).max(10_000),
  })
  .strict();

export const settingsRoutes = [
  route({
    method: 'get',
    path: '/api-keys',
    summary: 'Calls API keys of this account',
    tag: 'settings',
    access: 'admin',
    handler: async ({ app, tenantId }) => ({ keys: await listApiKeys(app, tenantId) }),
  }),
  route({
    method: 'post',
    path: '/api-keys',
    summary: 'Create a Calls API key (shown once; send it as X-Api-Key)',
    tag: 'settings',
    access: 'admin',
    body: apiKeyInputSchema,
    status: 201,
    handler: async ({ app, tenantId, principal, body }) => createApiKey(app, tenantId, principal?.kind === 'user' ? principal.userId : null, body),
  }),
  route({
    method: 'delete',
    path: '/api-keys/:id',
    summary: 'Revoke a key',
    tag: 'settings',
    access: 'admin',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, tenantId, params }) => {
      await revokeApiKey(app, tenantId, params.id);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/settings/webhooks',
    summary: 'The secret that signs outcome webhooks (X-Dozvon-Signature: sha256=HMAC("<timestamp>.<body>")) and the default webhook URL of new campaigns',
    tag: 'settings',
    access: 'admin',
    handler: async ({ app, tenantId }) => {
      const d = await webhookDefaults(app.db, tenantId);
      return {
        secret: webhookSecretOf(app, tenantId, d.secretVersion),
        secretVersion: d.secretVersion,
        defaultUrl: d.defaultUrl,
        header: 'X-Dozvon-Signature',
        timestampHeader: 'X-Dozvon-Timestamp',
      };
    },
  }),
  route({
    method: 'get',
    path: '/settings/limits',
    summary: 'The minute budget and the simultaneous-calls limit, with this month’s use',
    tag: 'settings',
    access: 'userOrApiKey',
    handler: async ({ app, tenantId }) => {
      const limits = await tenantLimits(app.db, tenantId);
      const month = monthOf(app.clock.now());
      return { ...limits, month, ...(await monthUsage(app.db, tenantId, month)) };
    },
  }),
  route({
    method: 'put',
    path: '/settings/limits',
    summary: 'Set the minute budget (null = unlimited) and the simultaneous-calls limit',
    tag: 'settings',
    access: 'adminOrAdminKey',
    body: limitsSchema,
    handler: async ({ app, tenantId, body }) => {
      const tenant = (await findTenant(app.db, tenantId))!;
      await updateTenant(app.db, tenantId, { settings: { ...tenant.settings, limits: body } });
      app.wake.dispatcher();
      return body;
    },
  }),
];
