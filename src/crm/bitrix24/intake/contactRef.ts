import { z } from 'zod';

/**
 * What a campaign contact remembers about its Bitrix24 origin (`campaign_contacts.crm`), read
 * back by the write-back and the robot return: the document, the user responsible for it, the
 * robot run (if a robot asked for the call) and which CRM record owns each phone (the call record
 * is registered against that contact or lead, then bound to the deal).
 */
export const contactRefSchema = z.object({
  system: z.literal('bitrix24'),
  /** `DEAL_123` / `LEAD_5` / `CONTACT_7`. */
  document: z.string().regex(/^(DEAL|LEAD|CONTACT)_\d+$/),
  responsibleId: z.number().int().positive().nullable(),
  runId: z.uuid().nullable(),
  owners: z.record(z.string(), z.object({ type: z.enum(['CONTACT', 'LEAD', 'COMPANY']), id: z.number().int().positive() })),
});
export type ContactRef = z.infer<typeof contactRefSchema>;

/** The contact's Bitrix24 reference, or undefined for contacts from elsewhere. */
export function readContactRef(crm: Record<string, unknown> | null | undefined): ContactRef | undefined {
  if (!crm || crm.system !== 'bitrix24') return undefined;
  const r = contactRefSchema.safeParse(crm);
  return r.success ? r.data : undefined;
}
