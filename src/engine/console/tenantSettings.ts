import { z } from 'zod';
import type { Queryable } from '../../store/db.js';
import { findTenant } from '../../store/repositories/tenants.js';

/**
 * The console's per-account settings kept in `tenants.settings`: the outcome-webhook defaults
 * (the URL every new campaign posts to unless it names its own, the signing secret's generation)
 * and the default recipients of campaign e-mails. Absent settings read as their defaults.
 */
export const webhookDefaultsSchema = z
  .object({
    /** Every new campaign — console, Calls API, CRM robot — posts its outcomes here unless it names its own URL. */
    defaultUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().default(null),
    /** Bumped by "rotate": the secret is derived from the account and this number. */
    secretVersion: z.number().int().min(0).default(0),
  })
  .strict();
export type WebhookDefaults = z.output<typeof webhookDefaultsSchema>;

export const notificationDefaultsSchema = z
  .object({
    /** Who gets the campaign e-mails (J3) of every new campaign unless it names its own recipients. */
    emails: z.array(z.email().max(200)).max(20).default([]),
  })
  .strict();
export type NotificationDefaults = z.output<typeof notificationDefaultsSchema>;

async function read<S extends z.ZodType>(db: Queryable, tenantId: string, key: string, schema: S): Promise<z.output<S>> {
  const t = await findTenant(db, tenantId);
  const parsed = schema.safeParse(t?.settings[key] ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

async function write(db: Queryable, tenantId: string, key: string, value: unknown): Promise<void> {
  // One statement: a concurrent change of another key (limits) is not lost.
  await db.query(`UPDATE tenants SET settings = jsonb_set(settings, $2::text[], $3::jsonb, true), updated_at = now() WHERE id = $1`, [tenantId, [key], JSON.stringify(value)]);
}

export const webhookDefaults = (db: Queryable, tenantId: string) => read(db, tenantId, 'webhooks', webhookDefaultsSchema);
export const notificationDefaults = (db: Queryable, tenantId: string) => read(db, tenantId, 'notifications', notificationDefaultsSchema);
export const saveWebhookDefaults = (db: Queryable, tenantId: string, v: WebhookDefaults) => write(db, tenantId, 'webhooks', v);
export const saveNotificationDefaults = (db: Queryable, tenantId: string, v: NotificationDefaults) => write(db, tenantId, 'notifications', v);

/**
 * A new campaign's settings with the account's defaults filled in where the request named none
 * (`webhookUrl`, `notifyEmails`); what the request says always wins, an explicit null too.
 */
export async function withCampaignDefaults(db: Queryable, tenantId: string, input: unknown): Promise<unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const raw = input as Record<string, unknown>;
  const settings = raw.settings;
  if (settings !== undefined && (!settings || typeof settings !== 'object' || Array.isArray(settings))) return input;
  const s = { ...((settings as Record<string, unknown> | undefined) ?? {}) };
  if (!('webhookUrl' in s)) {
    const w = await webhookDefaults(db, tenantId);
    if (w.defaultUrl) s.webhookUrl = w.defaultUrl;
  }
  if (!('notifyEmails' in s)) {
    const n = await notificationDefaults(db, tenantId);
    if (n.emails.length) s.notifyEmails = n.emails;
  }
  return Object.keys(s).length || settings !== undefined ? { ...raw, settings: s } : input;
}
