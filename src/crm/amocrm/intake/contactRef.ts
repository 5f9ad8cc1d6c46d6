import { z } from 'zod';

/**
 * What a campaign contact remembers about its amoCRM origin (`campaign_contacts.crm`), read back
 * by the write-back: the lead, its responsible user, and the stage it stood in when it was taken
 * (a stage move applies only if the lead is still there — gotcha 19).
 */
export const contactRefSchema = z.object({
  system: z.literal('amocrm'),
  leadId: z.number().int().positive(),
  responsibleUserId: z.number().int().nullable(),
  stage: z.object({ pipelineId: z.number().int(), statusId: z.number().int() }).nullable(),
});
export type ContactRef = z.infer<typeof contactRefSchema>;

export function readContactRef(crm: Record<string, unknown> | null | undefined): ContactRef | undefined {
  if (!crm || crm.system !== 'amocrm') return undefined;
  const r = contactRefSchema.safeParse(crm);
  return r.success ? r.data : undefined;
}

/** `campaign_contacts.external_id` of a lead (the widget's call history looks it up). */
export const leadExternalId = (leadId: number): string => `lead:${leadId}`;
