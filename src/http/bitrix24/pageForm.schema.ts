import { z } from 'zod';

/**
 * What a portal POSTs when it opens one of our pages in a frame — the install page, the app page
 * or a placement (brief §1.2): DOMAIN / PROTOCOL / LANG / APP_SID in the query, the current user's
 * tokens and the app's context in a form body. Unknown fields are ignored (portals add some).
 */
export const pageQuerySchema = z.object({
  DOMAIN: z.string().trim().min(1).max(255),
  PROTOCOL: z.enum(['0', '1']).optional(),
  LANG: z.string().trim().max(10).optional(),
  APP_SID: z.string().max(200).optional(),
});

export const pageBodySchema = z.object({
  AUTH_ID: z.string().min(1).max(1000),
  AUTH_EXPIRES: z.string().max(20).optional(),
  REFRESH_ID: z.string().min(1).max(1000),
  SERVER_ENDPOINT: z.url().max(500),
  member_id: z.string().trim().min(1).max(100),
  status: z.string().max(4).optional(),
  PLACEMENT: z.string().max(100).default('DEFAULT'),
  /** A JSON string (for the main page PHP sends `[]`). */
  PLACEMENT_OPTIONS: z.string().max(20_000).default(''),
  APPLICATION_TOKEN: z.string().min(1).max(200),
  APPLICATION_SCOPE: z.string().max(1000).optional(),
});
export type PageBody = z.infer<typeof pageBodySchema>;

/** `PLACEMENT_OPTIONS` parsed; anything that is not a JSON object counts as no options. */
export function placementOptions(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
