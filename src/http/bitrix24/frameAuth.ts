import type { Context } from 'koa';
import { sha256Hex } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { isB24Error } from '../../crm/bitrix24/rest/b24Error.js';
import { findPortalByMember } from '../../crm/bitrix24/store/portals.js';
import { findTenant, type Tenant } from '../../store/repositories/tenants.js';

/**
 * Who is calling `/bitrix24/api/*`: a portal user inside one of our frames. The page sends the
 * frame's access token and the portal's member id:
 *
 *   X-B24-Auth: <AUTH_ID>          (B24Frame: `$b24.auth.getAuthData().access_token`)
 *   X-B24-Member-Id: <member_id>
 *   X-B24-Domain: <DOMAIN>         (optional; must match the portal's if sent)
 *
 * The token is checked by asking that member id's portal who it belongs to (`profile`) — a token of
 * another portal is unknown there, so a user can never reach another portal's data. Answers are
 * remembered for a minute (by a hash of the token), so a busy tab costs one portal request a minute.
 */
export interface PortalUser {
  tenant: Tenant;
  memberId: string;
  userId: number;
  admin: boolean;
  name: string;
}

const TTL_MS = 60_000;
const MAX_CACHED = 5_000;

export class FrameAuth {
  private readonly cache = new Map<string, { user: Omit<PortalUser, 'tenant'>; tenantId: string; until: number }>();

  constructor(private readonly b24: B24Context) {}

  async authenticate(ctx: Context): Promise<PortalUser> {
    return this.check(ctx.get('x-b24-member-id').trim(), ctx.get('x-b24-auth').trim(), ctx.get('x-b24-domain').trim());
  }

  /** The user a portal's frame token belongs to (the app page passes its posted AUTH_ID here). */
  async check(memberId: string, token: string, domain = ''): Promise<PortalUser> {
    if (!token || !memberId || token.length > 1000 || memberId.length > 100) throw unauthorized();
    const portal = await findPortalByMember(this.b24.app.db, memberId);
    if (!portal?.accessTokenEnc || (domain && domain.toLowerCase() !== portal.domain.toLowerCase())) throw unauthorized();
    const tenant = await findTenant(this.b24.app.db, portal.tenantId);
    if (!tenant || tenant.status === 'uninstalled') throw unauthorized();

    const key = sha256Hex(`${memberId}\u0000${token}`);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now() && hit.tenantId === tenant.id) return { ...hit.user, tenant };

    let me: { ID?: unknown; ADMIN?: unknown; NAME?: unknown; LAST_NAME?: unknown };
    try {
      const answer = await this.b24.gateway.callAsUser(tenant.id, portal.clientEndpoint, token, 'profile');
      me = (answer.result ?? {}) as typeof me;
    } catch (e) {
      if (isB24Error(e) && (e.kind === 'auth' || e.kind === 'revoked' || e.kind === 'final')) throw unauthorized();
      // The portal could not say (rate limit, outage): ask the page to try again, not to sign in.
      if (isB24Error(e)) throw new DomainError('rate_limited', 'bitrix24.errors.portal_busy');
      throw e;
    }
    const userId = Number(me.ID);
    if (!Number.isInteger(userId) || userId <= 0) throw unauthorized();
    const user = { memberId, userId, admin: me.ADMIN === true || me.ADMIN === 'Y', name: [me.NAME, me.LAST_NAME].filter((x) => typeof x === 'string' && x).join(' ') };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { user, tenantId: tenant.id, until: Date.now() + TTL_MS });
    return { ...user, tenant };
  }
}

const unauthorized = () => new DomainError('unauthorized', 'bitrix24.errors.frame_auth');
