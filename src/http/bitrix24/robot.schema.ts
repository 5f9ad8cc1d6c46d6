import { z } from 'zod';

/**
 * The robot call Bitrix24 POSTs to `/bitrix24/robot` (brief §2.3), form-encoded with bracket keys:
 * `document_id[0..2]`, `properties[...]`, `auth[...]`. Only what Dozvon relies on is required;
 * properties arrive as strings (lists for multiple ones) and are read leniently later.
 */
const str = (max: number) => z.string().max(max);

export const robotCallSchema = z.object({
  workflow_id: str(100).min(1),
  code: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { message: 'validation.invalid_format' }),
  document_id: z.tuple([z.literal('crm'), str(200), z.string().regex(/^(DEAL|LEAD|CONTACT)_\d{1,18}$/)]),
  document_type: z.array(str(200)).max(3).optional(),
  event_token: str(2000).min(1),
  // Shapes of user/date/multiple properties are undocumented (gotcha 15): kept as sent, read leniently.
  properties: z.record(z.string().max(64), z.unknown()).default({}),
  use_subscription: z.enum(['Y', 'N', '']).optional(),
  /** Seconds Bitrix24 waits for the answer (`660` in the captured payload); empty or 0 = no limit. */
  timeout_duration: z.string().regex(/^(\d{1,9}(\.\d{1,6})?)?$/, { message: 'validation.invalid_format' }).optional().transform((v) => (v ? Math.floor(Number(v)) : undefined)),
  /** Unix seconds when Bitrix24 sent the call; only ever used to answer earlier, so anything else is ignored. */
  ts: z.string().max(20).optional().transform((v) => (v && /^\d{1,12}$/.test(v) ? Number(v) : undefined)),
  auth: z.object({
    member_id: str(100).min(1),
    application_token: str(200).min(1),
    domain: str(255).optional(),
    user_id: str(20).optional(),
  }),
});
export type RobotCall = z.infer<typeof robotCallSchema>;
