import type { Context } from 'koa';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { hmacSecretKey } from '../../../core/crypto.js';
import { DomainError } from '../../../core/errors.js';
import type { AmoContext } from '../../../crm/amocrm/amoContext.js';
import { audiences, integrationById, type Integration, type Platform } from '../../../crm/amocrm/config.js';
import { parseAccountUrl } from '../../../crm/amocrm/platform.js';
import { findAccountByAmoId, moveAccountHost, type AccountRecord } from '../../../crm/amocrm/store/accounts.js';
import { findTenant, type Tenant } from '../../../store/repositories/tenants.js';

/**
 * Who is calling `/amocrm/widget/*`: an amoCRM user in the widget, proven by the one-time token
 * amoCRM puts into `X-Auth-Token` of every `$authorizedAjax` request (brief §6): HS256 with our
 * client secret (the algorithm pinned), `aud` the origin of our Redirect URI, `iss` an amoCRM /
 * Kommo account address, inside its time window, and a `jti` never seen before (kept until the
 * token expires; a replay is refused). Anything else — missing, forged, foreign, expired, replayed
 * — is 401 and changes nothing.
 *
 * The signed `iss` also tells where the account lives now: a renamed account is followed.
 */
const claimsSchema = z.object({
  iss: z.string().max(300),
  aud: z.union([z.string(), z.array(z.string())]),
  jti: z.string().min(8).max(200),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  account_id: z.coerce.number().int().positive(),
  user_id: z.coerce.number().int().positive(),
  subdomain: z.string().max(100).optional(),
  client_uuid: z.string().max(100),
  is_admin: z.boolean().optional(),
});
export type WidgetClaims = z.infer<typeof claimsSchema>;

export interface WidgetCaller {
  claims: WidgetClaims;
  userId: number;
  integration: Integration;
  platform: Platform;
  /** The account row, when this account was ever connected. */
  account: AccountRecord | undefined;
  tenant: Tenant | undefined;
}

const LEEWAY_SEC = 30;
/** amoCRM's tokens live 30 minutes; one that claims to live for days is not one of them. */
const MAX_LIFETIME_SEC = 2 * 3600;

const unauthorized = () => new DomainError('unauthorized', 'amocrm.errors.widget_auth');

export async function authenticateWidget(ctx: AmoContext, koa: Context): Promise<WidgetCaller> {
  const token = koa.get('x-auth-token').trim();
  if (!token || token.length > 4096) throw unauthorized();
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object' || decoded.header.alg !== 'HS256') throw unauthorized();
  const clientUuid = (decoded.payload as { client_uuid?: unknown }).client_uuid;
  const integration = typeof clientUuid === 'string' ? integrationById(ctx.cfg, clientUuid) : undefined;
  if (!integration) throw unauthorized();
  const nowSec = Math.floor(ctx.clock.now().getTime() / 1000);
  let verified: unknown;
  try {
    verified = jwt.verify(token, hmacSecretKey(integration.clientSecret), {
      algorithms: ['HS256'],
      audience: audiences(ctx.cfg) as [string, ...string[]],
      clockTolerance: LEEWAY_SEC,
      clockTimestamp: nowSec,
    });
  } catch {
    throw unauthorized();
  }
  const parsed = claimsSchema.safeParse(verified);
  if (!parsed.success) throw unauthorized();
  const claims = parsed.data;
  if (claims.exp - claims.iat > MAX_LIFETIME_SEC || claims.iat > nowSec + LEEWAY_SEC) throw unauthorized();
  const where = parseAccountUrl(claims.iss, ctx.cfg.allowLoopbackHttp);
  if (!where || (where.platform && !integration.platforms.includes(where.platform))) throw unauthorized();

  let account: AccountRecord | undefined;
  let platform: Platform = where.platform ?? integration.platforms[0]!;
  for (const p of where.platform ? [where.platform] : integration.platforms) {
    const a = await findAccountByAmoId(ctx.db, p, claims.account_id);
    if (a && a.clientId === integration.clientId) {
      account = a;
      platform = p;
      break;
    }
  }
  // One-time: the id is kept until the token would have expired anyway.
  const fresh = await ctx.db.query('INSERT INTO amo_widget_tokens (jti, tenant_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    `${integration.clientId}:${claims.jti}`,
    account?.tenantId ?? null,
    new Date((claims.exp + LEEWAY_SEC) * 1000),
  ]);
  if ((fresh.rowCount ?? 0) === 0) throw unauthorized();
  if (account && account.host !== where.host && where.subdomain) {
    await moveAccountHost(ctx.db, account.tenantId, where.host, where.baseUrl, where.subdomain);
    ctx.log.info({ tenantId: account.tenantId, host: where.host }, 'amocrm: the account moved to a new address');
  }
  const tenant = account ? await findTenant(ctx.db, account.tenantId) : undefined;
  return { claims, userId: claims.user_id, integration, platform, account, tenant };
}

/** The caller's account is connected (installed, not uninstalled); else 403 with the reason. */
export function connected(c: WidgetCaller): { account: AccountRecord; tenant: Tenant } {
  if (!c.account || !c.tenant || c.tenant.status === 'uninstalled' || !c.account.refreshTokenEnc) {
    throw new DomainError('forbidden', 'amocrm.errors.not_connected', {}, [], { connected: false });
  }
  return { account: c.account, tenant: c.tenant };
}
