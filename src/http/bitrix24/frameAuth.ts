import type { Context } from 'koa';
import { sha256Hex } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import { isB24Error } from '../../crm/bitrix24/rest/b24Error.js';
import { findPortalByMember, type PortalRecord } from '../../crm/bitrix24/store/portals.js';
import { findTenant, type Tenant } from '../../store/repositories/tenants.js';

/**
 * Who a portal user inside one of our frames is. Their access token (the frame form's `AUTH_ID`,
 * later B24Frame's `$b24.auth.getAuthData().access_token`) is checked by asking that member id's
 * portal who it belongs to (`profile`) — a token of another portal is unknown there, so a user can
 * never reach another portal's data. Answers are remembered for a minute (by a hash of the token),
 * so a busy tab costs one portal request a minute.
 *
 * Frame pages are authenticated this way, not by the application token: Bitrix24's frame form
 * carries AUTH_ID, AUTH_EXPIRES, REFRESH_ID, member_id, status, PLACEMENT and PLACEMENT_OPTIONS and
 * no application token (RD:settings/oauth/simple-way.md, RD:api-reference/widgets/_includes/widget_data.md;
 * bitrix core `rest/install/components/bitrix/app.layout/templates/.default/template.php`; b24jssdk's
 * `getInitData` has none either). That token authenticates ONAPPUNINSTALL, and the user's browser
 * submits the frame form, so a frame must never hold it (crm/bitrix24/install/applicationToken.ts).
 *
 * The JSON API sends the same token in headers:
 *
 *   X-B24-Auth: <AUTH_ID>          X-B24-Member-Id: <member_id>
 *   X-B24-Domain: <domain>         (optional; must match the portal's if sent)
 *
 * The verified user keeps their token: records are read *as them* (`asUser`), so Bitrix24 applies
 * the user's own CRM rights (see crm/bitrix24/userRights.ts).
 */
export interface PortalUser {
  tenant: Tenant;
  portal: PortalRecord;
  memberId: string;
  userId: number;
  admin: boolean;
  name: string;
  /** The user's own access token, for requests the portal must judge with the user's rights. */
  accessToken: string;
}

type CachedUser = Pick<PortalUser, 'memberId' | 'userId' | 'admin' | 'name'>;

const TTL_MS = 60_000;
const MAX_CACHED = 5_000;

export class FrameAuth {
  private readonly cache = new Map<string, { user: CachedUser; tenantId: string; until: number }>();

  constructor(private readonly b24: B24Context) {}

  /** The API's caller, from the `X-B24-*` headers. */
  authenticate(ctx: Context): Promise<PortalUser> {
    return this.verify({ token: ctx.get('x-b24-auth').trim(), memberId: ctx.get('x-b24-member-id').trim(), domain: ctx.get('x-b24-domain').trim() });
  }

  /**
   * A frame page's user, from the form the portal posted (AUTH_ID, member_id). The DOMAIN the form
   * names is not checked: it is the request's word, and a renamed portal keeps its member id.
   */
  verify(p: { token: string; memberId: string; domain?: string }): Promise<PortalUser> {
    return this.check(p.token, p.memberId, p.domain ?? '');
  }

  private async check(token: string, memberId: string, domain: string): Promise<PortalUser> {
    if (!token || !memberId || token.length > 1000 || memberId.length > 100) throw unauthorized();
    const portal = await findPortalByMember(this.b24.app.db, memberId);
    if (!portal?.accessTokenEnc || (domain && domain.toLowerCase() !== portal.domain.toLowerCase())) throw unauthorized();
    const tenant = await findTenant(this.b24.app.db, portal.tenantId);
    if (!tenant || tenant.status === 'uninstalled') throw unauthorized();

    const key = sha256Hex(`${memberId}\u0000${token}`);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now() && hit.tenantId === tenant.id) return { ...hit.user, tenant, portal, accessToken: token };

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
    const user: CachedUser = { memberId, userId, admin: me.ADMIN === true || me.ADMIN === 'Y', name: [me.NAME, me.LAST_NAME].filter((x) => typeof x === 'string' && x).join(' ') };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { user, tenantId: tenant.id, until: Date.now() + TTL_MS });
    return { ...user, tenant, portal, accessToken: token };
  }
}

const unauthorized = () => new DomainError('unauthorized', 'bitrix24.errors.frame_auth');
