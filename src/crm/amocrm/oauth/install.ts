import { randomToken } from '../../../core/crypto.js';
import { newId } from '../../../store/ids.js';
import { upsertTenant, updateTenant } from '../../../store/repositories/tenants.js';
import { withTransaction } from '../../../store/db.js';
import { AmoError, isAmoError } from '../api/amoError.js';
import { accountSchema } from '../api/models.js';
import { amoRequest } from '../api/transport.js';
import type { AmoContext } from '../amoContext.js';
import { markActive } from '../accountStatus.js';
import { integrationById, integrationFor, type Integration, type Platform } from '../config.js';
import { parseAccountHost, type AccountHost } from '../platform.js';
import { findAccountByAmoId, upsertAccount } from '../store/accounts.js';
import { requestTokens } from './tokenEndpoint.js';

/**
 * Installing (C4, brief §1): amoCRM GETs our Redirect URI once with `code` and `referer`, allows
 * 3 s and never resends (gotcha 2). So the code is stored at once (sealed) and the answer goes
 * back; the exchange at `https://{referer}/oauth2/access_token` and `GET /api/v4/account` happen
 * outside the request, and are retried while the code lives (20 minutes) if the account is slow.
 * The tenant is (platform, account id); a reinstall or a reconnect of a known account refreshes
 * its tokens and keeps its data, DP key and settings.
 */
export interface InstallRedirect {
  code: string;
  referer: string;
  clientId: string | undefined;
  state: string | undefined;
}

export type Received = { ok: true; id: string; host: AccountHost } | { ok: false; reason: 'unknown_host' | 'unknown_integration' };

const CODE_LIFETIME_MS = 20 * 60_000;
const LOCK_MS = 60_000;

/** Chooses whose keys the code belongs to: the `client_id` named (if ours), else the platform's. */
function integrationOf(ctx: AmoContext, host: AccountHost, clientId: string | undefined): Integration | undefined {
  if (clientId) {
    const i = integrationById(ctx.cfg, clientId);
    if (!i || (host.platform && !i.platforms.includes(host.platform))) return undefined;
    return i;
  }
  return host.platform ? integrationFor(ctx.cfg, host.platform) : ctx.cfg.integrations[0];
}

export async function receiveInstall(ctx: AmoContext, r: InstallRedirect): Promise<Received> {
  const host = parseAccountHost(r.referer, ctx.cfg.allowLoopbackHttp);
  if (!host) return { ok: false, reason: 'unknown_host' };
  const integration = integrationOf(ctx, host, r.clientId);
  if (!integration) return { ok: false, reason: 'unknown_integration' };
  const id = newId();
  await ctx.db.query('INSERT INTO amo_install_codes (id, client_id, host, code_enc, state, received_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)', [
    id,
    integration.clientId,
    host.host,
    ctx.sealer.seal(r.code),
    r.state ?? null,
    ctx.clock.now(),
  ]);
  return { ok: true, id, host };
}

interface CodeRow {
  id: string;
  client_id: string;
  host: string;
  code_enc: string;
  attempts: number;
  received_at: Date;
}

/** Takes the code row for this worker (a short lock), or undefined when it is done or someone else has it. */
async function claimCode(ctx: AmoContext, id: string): Promise<CodeRow | undefined> {
  const now = ctx.clock.now();
  const r = await ctx.db.query<CodeRow>(
    `UPDATE amo_install_codes SET locked_until = $2::timestamptz + ($3 || ' milliseconds')::interval, attempts = attempts + 1
     WHERE id = $1 AND status = 'pending' AND (locked_until IS NULL OR locked_until < $2) RETURNING id, client_id, host, code_enc, attempts, received_at`,
    [id, now, String(LOCK_MS)],
  );
  return r.rows[0];
}

async function finishCode(ctx: AmoContext, id: string, p: { status: 'done' | 'failed' | 'pending'; error?: string; tenantId?: string; retryAt?: Date }): Promise<void> {
  await ctx.db.query(
    `UPDATE amo_install_codes SET status = $2, error = left($3, 500), tenant_id = COALESCE($4, tenant_id), locked_until = NULL,
       next_attempt_at = COALESCE($5, next_attempt_at), finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6::timestamptz END
     WHERE id = $1`,
    [id, p.status, p.error ?? null, p.tenantId ?? null, p.retryAt ?? null, ctx.clock.now()],
  );
}

/** Exchanges a stored code and connects the account; returns the tenant, or undefined if it must wait or failed. */
export async function processInstallCode(ctx: AmoContext, id: string): Promise<string | undefined> {
  const row = await claimCode(ctx, id);
  if (!row) return undefined;
  const log = ctx.log.child({ installCode: id, host: row.host });
  const now = ctx.clock.now();
  if (now.getTime() - row.received_at.getTime() > CODE_LIFETIME_MS) {
    await finishCode(ctx, id, { status: 'failed', error: 'the authorization code expired before it could be exchanged' });
    log.warn('amocrm: install code expired unexchanged; the administrator must press Reconnect');
    return undefined;
  }
  try {
    const tenantId = await connect(ctx, row);
    await finishCode(ctx, id, { status: 'done', tenantId });
    return tenantId;
  } catch (e) {
    if (isAmoError(e) && (e.kind === 'transient' || e.kind === 'limit')) {
      const retryAt = new Date(now.getTime() + Math.min(60_000, 2000 * 2 ** Math.min(row.attempts, 5)));
      await finishCode(ctx, id, { status: 'pending', error: e.message, retryAt });
      log.warn({ err: e }, 'amocrm: install not finished yet; will retry');
      return undefined;
    }
    await finishCode(ctx, id, { status: 'failed', error: (e as Error).message });
    log.error({ err: e }, 'amocrm: install failed');
    return undefined;
  }
}

async function connect(ctx: AmoContext, row: CodeRow): Promise<string> {
  const host = parseAccountHost(row.host, ctx.cfg.allowLoopbackHttp);
  const integration = integrationById(ctx.cfg, row.client_id);
  if (!host || !integration) throw new AmoError('final', 'UNKNOWN_ACCOUNT', 'the host or the integration is no longer accepted', 0);
  const pair = await requestTokens(host.baseUrl, integration, ctx.cfg.redirectUri(), { grant_type: 'authorization_code', code: ctx.sealer.open(row.code_enc) }, { http: ctx.http, now: () => ctx.clock.now() });
  const answer = await amoRequest(host.baseUrl, { method: 'GET', path: '/api/v4/account', accessToken: pair.access_token }, { http: ctx.http, timeoutMs: 20_000 });
  const info = accountSchema.parse(answer.body);
  const platform: Platform = host.platform ?? integration.platforms[0]!;
  const locale = platform === 'amocrm' ? 'ru' : 'en';
  const now = ctx.clock.now();
  const tenantId = await withTransaction(ctx.db, async (tx) => {
    const { tenant } = await upsertTenant(tx, { kind: 'amocrm', externalId: `${platform}:${info.id}`, name: info.name, locale });
    const known = await findAccountByAmoId(tx, platform, info.id);
    await upsertAccount(tx, {
      tenantId: tenant.id,
      platform,
      accountId: info.id,
      clientId: integration.clientId,
      host: host.host,
      baseUrl: host.baseUrl,
      subdomain: info.subdomain,
      name: info.name,
      tokens: { accessTokenEnc: ctx.sealer.seal(pair.access_token), refreshTokenEnc: ctx.sealer.seal(pair.refresh_token), accessExpiresAt: pair.expiresAt },
      tokenUserId: info.current_user_id ?? null,
      dpKeyEnc: known?.dpKeyEnc ?? ctx.sealer.seal(randomToken(24)),
      now,
    });
    if (tenant.status === 'uninstalled') await updateTenant(tx, tenant.id, { status: 'active', statusReason: null, name: info.name });
    return tenant.id;
  });
  await ctx.seedStarter(tenantId, locale);
  await markActive(ctx, tenantId);
  ctx.log.info({ tenantId, platform, accountId: info.id, subdomain: info.subdomain }, 'amocrm: account connected');
  return tenantId;
}

/** Codes that could not be exchanged at once (a crash, a slow account): what the scheduled sweep retries. */
export async function processPendingInstalls(ctx: AmoContext, limit = 20): Promise<number> {
  const r = await ctx.db.query<{ id: string }>(`SELECT id FROM amo_install_codes WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY received_at LIMIT $2`, [ctx.clock.now(), limit]);
  let done = 0;
  for (const { id } of r.rows) if (await processInstallCode(ctx, id)) done++;
  return done;
}

/** Where an install stands (the install page polls it). */
export async function installStatus(ctx: AmoContext, id: string): Promise<{ status: string; tenantId: string | null } | undefined> {
  const r = await ctx.db.query<{ status: string; tenant_id: string | null }>('SELECT status, tenant_id FROM amo_install_codes WHERE id = $1', [id]);
  return r.rows[0] && { status: r.rows[0].status, tenantId: r.rows[0].tenant_id };
}
