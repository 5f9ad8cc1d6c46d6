import type { AmoLead, AmoUser } from './api/models.js';

/**
 * Which leads an amoCRM user may see, as the account's rights say (`GET /api/v4/users/{id}`:
 * `rights.leads.view` — A all, G their group's, M their own, D none — and `rights.status_rights`,
 * per pipeline stage A or D; levels as in the PHP SDK's RightModel). The widget's API answers a
 * user only about leads amoCRM would show them: its token is the install's, which sees everything.
 * Administrators see every lead.
 */
export type RightLevel = 'A' | 'G' | 'M' | 'D';

export interface LeadViewRights {
  isAdmin: boolean;
  view: RightLevel;
  groupId: number | null;
  /** `pipeline:status` of the stages whose leads the user may not see. */
  hiddenStages: string[];
}

const LEVELS: readonly string[] = ['A', 'G', 'M', 'D'];
const level = (v: unknown): RightLevel => (typeof v === 'string' && LEVELS.includes(v) ? (v as RightLevel) : 'D');
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** A user's lead rights; what the account does not say is denied (only an administrator needs no rights). */
export function leadRightsOf(u: AmoUser | undefined, isAdmin: boolean): LeadViewRights {
  const rights = record(u?.rights);
  const stages = Array.isArray(rights.status_rights) ? (rights.status_rights as unknown[]) : [];
  const hiddenStages = stages
    .map(record)
    .filter((s) => (s.entity_type ?? 'leads') === 'leads' && record(s.rights).view === 'D')
    .map((s) => `${Number(s.pipeline_id)}:${Number(s.status_id)}`);
  const group = Number(rights.group_id);
  return { isAdmin, view: isAdmin ? 'A' : level(record(rights.leads).view), groupId: Number.isFinite(group) && rights.group_id !== null ? group : null, hiddenStages };
}

/** Whether answering needs the leads themselves (their responsible user, their stage). */
export const needsLeads = (r: LeadViewRights): boolean => !r.isAdmin && (r.view !== 'A' || r.hiddenStages.length > 0);

/**
 * Whether the user `userId` may see `lead`; `groupOf` gives a user's group (for G rights).
 * A lead that no longer exists is nobody's to see.
 */
export async function mayViewLead(r: LeadViewRights, userId: number, lead: AmoLead | null, groupOf: (userId: number) => Promise<number | null>): Promise<boolean> {
  if (r.isAdmin) return true;
  if (!lead) return false;
  if (r.hiddenStages.includes(`${lead.pipeline_id}:${lead.status_id}`)) return false;
  switch (r.view) {
    case 'A':
      return true;
    case 'M':
      return lead.responsible_user_id === userId;
    case 'G':
      if (lead.responsible_user_id === userId) return true;
      return r.groupId !== null && lead.responsible_user_id != null && (await groupOf(lead.responsible_user_id)) === r.groupId;
    default:
      return false;
  }
}
