import type { AmoContext } from '../../../crm/amocrm/amoContext.js';
import { isAmoError } from '../../../crm/amocrm/api/amoError.js';
import { leadRightsOf, type LeadViewRights } from '../../../crm/amocrm/leadRights.js';

/**
 * Who an amoCRM user is, as the account says (`GET /api/v4/users/{id}`: name, `rights.is_admin`,
 * which leads they may see),
 * remembered for a minute per account and user: a busy card costs one request a minute, and a
 * user whose admin rights were taken away loses them here within a minute.
 */
export interface AmoUserFacts {
  id: number;
  name: string;
  isAdmin: boolean;
  lang: string | null;
  leads: LeadViewRights;
}

const TTL_MS = 60_000;
const MAX_CACHED = 5_000;

export class UserDirectory {
  private readonly cache = new Map<string, { user: AmoUserFacts; until: number }>();

  constructor(private readonly ctx: AmoContext) {}

  /** The user's facts; when the account cannot be asked, the signed token's word (`is_admin`) stands in. */
  async lookup(tenantId: string, userId: number, fallback: { isAdmin: boolean | undefined }): Promise<AmoUserFacts> {
    const key = `${tenantId}:${userId}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.user;
    let user: AmoUserFacts;
    try {
      const u = await this.ctx.api.user(tenantId, userId);
      const isAdmin = u?.rights?.is_admin === true && u.rights.is_active !== false;
      user = { id: userId, name: u?.name ?? '', isAdmin, lang: u?.lang ?? null, leads: leadRightsOf(u, isAdmin) };
    } catch (e) {
      if (!isAmoError(e)) throw e;
      this.ctx.log.warn({ tenantId, userId, err: e }, 'amocrm: could not ask the account who the user is; using the widget token');
      // Which leads a non-administrator may see cannot be known now: none, until the account answers.
      const isAdmin = fallback.isAdmin === true;
      return { id: userId, name: '', isAdmin, lang: null, leads: leadRightsOf(undefined, isAdmin) };
    }
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { user, until: Date.now() + TTL_MS });
    return user;
  }
}
