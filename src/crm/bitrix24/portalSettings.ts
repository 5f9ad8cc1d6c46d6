import { z } from 'zod';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { findTenant, updateTenant } from '../../store/repositories/tenants.js';
import { setPortalRateLimit } from './store/portals.js';
import type { B24Context } from './b24Context.js';

/**
 * Per-portal knobs (`tenants.settings.bitrix24`): how the campaigns Bitrix24 starts are run, and
 * the portal's REST rate limit when it is not the plan default. Campaigns from a robot, a
 * selection or a filter call every day around the clock as far as *they* are concerned — the
 * template's own calling window (T8) and the callee's zone decide when calls happen.
 */
export const portalSettingsSchema = z
  .object({
    /** Simultaneous calls per campaign started from this portal. */
    maxConcurrent: z.number().int().min(1).max(1000).default(10),
    /** Calls started per second; null = the template's intensity. */
    intensity: z.number().min(0.1).max(50).nullable().default(null),
  })
  .strict();
export type PortalSettings = z.output<typeof portalSettingsSchema>;

/** The stored knobs; anything unreadable counts as the defaults. */
function settingsOf(stored: unknown): PortalSettings {
  const parsed = portalSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : portalSettingsSchema.parse({});
}

export async function portalSettings(db: Queryable, tenantId: string): Promise<PortalSettings> {
  const r = await db.query<{ settings: { bitrix24?: unknown } }>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
  return settingsOf(r.rows[0]?.settings.bitrix24);
}

export async function updatePortalSettings(app: AppContext, tenantId: string, input: unknown): Promise<PortalSettings> {
  const v = parseInput(portalSettingsSchema.partial(), input);
  const tenant = await findTenant(app.db, tenantId);
  const next = portalSettingsSchema.parse({ ...settingsOf(tenant?.settings.bitrix24), ...v });
  await updateTenant(app.db, tenantId, { settings: { ...(tenant?.settings ?? {}), bitrix24: next } });
  return next;
}

/** The portal's leaky bucket, when it differs from its plan's (a shared IP, a self-hosted portal). */
export async function updatePortalRateLimit(b24: B24Context, tenantId: string, ratePerSec: number, burst: number): Promise<void> {
  await setPortalRateLimit(b24.app.db, tenantId, ratePerSec, burst);
  b24.gateway.forgetSettings(tenantId);
}

