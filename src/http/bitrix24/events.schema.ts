import { z } from 'zod';

/**
 * Events Bitrix24 POSTs to `/bitrix24/events` (brief §1.3, §1.5), form-encoded. ONAPPINSTALL
 * carries a full token pair; ONAPPUNINSTALL only the portal's identity, its application token and
 * `data[CLEAN]` — the application token is the only proof of origin.
 */
export const eventSchema = z.object({
  event: z.string().trim().min(1).max(100).transform((e) => e.toUpperCase()),
  event_handler_id: z.string().max(20).optional(),
  ts: z.string().max(20).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  auth: z.object({
    member_id: z.string().min(1).max(100),
    application_token: z.string().min(1).max(200),
    domain: z.string().max(255).optional(),
    server_endpoint: z.string().max(500).optional(),
    client_endpoint: z.string().max(500).optional(),
    access_token: z.string().max(1000).optional(),
    refresh_token: z.string().max(1000).optional(),
    user_id: z.string().max(20).optional(),
  }),
});
export type PortalEvent = z.infer<typeof eventSchema>;
