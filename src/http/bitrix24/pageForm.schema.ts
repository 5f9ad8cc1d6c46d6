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

/**
 * The frame form. Bitrix24's own form (bitrix core `rest/.../app.layout/templates/.default/template.php`,
 * RD:settings/oauth/simple-way.md, RD:api-reference/widgets/_includes/widget_data.md) has AUTH_ID,
 * AUTH_EXPIRES, REFRESH_ID, member_id, status, PLACEMENT and PLACEMENT_OPTIONS. SERVER_ENDPOINT is
 * not documented there: taken when present (and only if it is a Bitrix24 OAuth host), else
 * oauth.bitrix.info. An APPLICATION_TOKEN a form may carry is ignored — frames never hold it, and
 * nothing here trusts a page post on its strength (see ./frameAuth.ts).
 */
export const pageBodySchema = z.object({
  AUTH_ID: z.string().min(1).max(1000),
  AUTH_EXPIRES: z.string().max(20).optional(),
  REFRESH_ID: z.string().min(1).max(1000),
  SERVER_ENDPOINT: z.url().max(500).optional(),
  member_id: z.string().trim().min(1).max(100),
  status: z.string().max(4).optional(),
  PLACEMENT: z.string().max(100).default('DEFAULT'),
  /** A JSON string (for the main page PHP sends `[]`). */
  PLACEMENT_OPTIONS: z.string().max(20_000).default(''),
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
