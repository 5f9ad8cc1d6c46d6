import type { Logger } from '../../../log.js';
import type { OutboundHttp } from '../../../net/outboundHttp.js';
import type { Db } from '../../../store/db.js';
import type { SecretSealer } from '../../shared/secretSealer.js';
import { SingleFlightRefresher } from '../../shared/singleFlightRefresh.js';
import { AmoError, isAmoError } from '../api/amoError.js';
import { integrationById, type AmoConfig } from '../config.js';
import { findAccount, moveAccountHost, releaseRefreshLease, swapTokens, takeRefreshLease, type AccountRecord } from '../store/accounts.js';
import { currentAccountHost } from './accountDomain.js';
import { requestTokens } from './tokenEndpoint.js';

/**
 * The access grant a request uses, and the refresh that renews it: single-flight per account
 * across processes (src/crm/shared/singleFlightRefresh.ts) — amoCRM revokes the whole install
 * when a spent refresh token is presented again (gotcha 1). The new pair is stored before use.
 */
export interface AccessGrant {
  tenantId: string;
  baseUrl: string;
  accessToken: string;
  /** The token version the access token belongs to (what a 401 reports to the refresher). */
  version: number;
  expiresAt: Date | null;
}

export interface RefresherDeps {
  db: Db;
  log: Logger;
  sealer: SecretSealer;
  cfg: AmoConfig;
  http: OutboundHttp;
  workerId: string;
  now(): Date;
  /** The OAuth endpoint refused the refresh token for good. */
  onRevoked(tenantId: string, detail: string): Promise<void>;
}

export function grantOf(sealer: SecretSealer, a: AccountRecord): AccessGrant | undefined {
  if (!a.accessTokenEnc) return undefined;
  return { tenantId: a.tenantId, baseUrl: a.baseUrl, accessToken: sealer.open(a.accessTokenEnc), version: a.tokenVersion, expiresAt: a.accessExpiresAt };
}

const noTokens = () => new AmoError('revoked', 'NO_TOKENS', 'the account has no tokens (not installed or uninstalled)', 0);

export class AmoTokenRefresher {
  private readonly flight: SingleFlightRefresher<AccessGrant>;

  constructor(private readonly d: RefresherDeps) {
    this.flight = new SingleFlightRefresher<AccessGrant>({
      read: async (tenantId) => {
        const a = await findAccount(d.db, tenantId);
        return a && { version: a.tokenVersion, hasTokens: Boolean(a.refreshTokenEnc && a.accessTokenEnc) };
      },
      grant: async (tenantId) => {
        const a = await findAccount(d.db, tenantId);
        const g = a && grantOf(d.sealer, a);
        if (!g) throw noTokens();
        return g;
      },
      takeLease: (tenantId, version, ms) => takeRefreshLease(d.db, tenantId, version, d.workerId, d.now(), ms),
      releaseLease: (tenantId) => releaseRefreshLease(d.db, tenantId, d.workerId),
      needsReauth: async (tenantId) => (await d.db.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [tenantId])).rows[0]?.status === 'needs_reauth',
      exchange: (tenantId, version) => this.exchange(tenantId, version),
      errors: {
        noTokens,
        needsReauth: () => new AmoError('revoked', 'NEEDS_REAUTH', 'the account must be reconnected by an administrator', 0),
        busy: () => new AmoError('transient', 'REFRESH_BUSY', 'another worker is still refreshing the token', 0),
      },
    });
  }

  refresh(tenantId: string, failedVersion: number): Promise<AccessGrant> {
    return this.flight.refresh(tenantId, failedVersion);
  }

  private async exchange(tenantId: string, version: number): Promise<AccessGrant> {
    const { db, sealer, log } = this.d;
    const account = await findAccount(db, tenantId);
    if (!account?.refreshTokenEnc) throw noTokens();
    const integration = integrationById(this.d.cfg, account.clientId);
    if (!integration) throw new AmoError('revoked', 'NO_INTEGRATION', 'the integration this account was installed with is no longer configured', 0);
    const refreshToken = sealer.open(account.refreshTokenEnc);
    const ask = (baseUrl: string) =>
      requestTokens(baseUrl, integration, this.d.cfg.redirectUri(), { grant_type: 'refresh_token', refresh_token: refreshToken }, { http: this.d.http, now: this.d.now });
    let pair;
    let moved: Awaited<ReturnType<typeof currentAccountHost>>;
    try {
      try {
        pair = await ask(account.baseUrl);
      } catch (e) {
        // Refused at the stored host: the account may have renamed its subdomain (gotcha 16).
        moved = isAmoError(e) && e.kind === 'revoked' && (e.status === 401 || e.status === 404) ? await this.renamedTo(account, refreshToken) : undefined;
        if (!moved) throw e;
        pair = await ask(moved.baseUrl);
      }
    } catch (e) {
      if (isAmoError(e) && e.kind === 'revoked') await this.d.onRevoked(tenantId, `${e.code}: ${e.detail}`);
      throw e;
    }
    const stored = await swapTokens(db, tenantId, version, { accessTokenEnc: sealer.seal(pair.access_token), refreshTokenEnc: sealer.seal(pair.refresh_token), accessExpiresAt: pair.expiresAt }, this.d.now());
    // Cannot happen while we hold the lease; if it did, the pair we got is the only live one.
    if (!stored) log.error({ tenantId }, 'amocrm: the token version moved during a refresh; the new pair was not stored');
    if (moved) {
      await moveAccountHost(db, tenantId, moved.host, moved.baseUrl, moved.subdomain);
      log.info({ tenantId, host: moved.host }, 'amocrm: the account was renamed; following it to its new address');
    }
    log.info({ tenantId, worker: this.d.workerId }, 'amocrm: access token refreshed');
    return { tenantId, baseUrl: moved?.baseUrl ?? account.baseUrl, accessToken: pair.access_token, version: version + 1, expiresAt: pair.expiresAt };
  }

  /** The account's new address when amoCRM says it moved (same account, same platform, another host); else undefined. */
  private async renamedTo(account: AccountRecord, refreshToken: string): Promise<Awaited<ReturnType<typeof currentAccountHost>>> {
    if (!account.accessTokenEnc) return undefined;
    try {
      const now = await currentAccountHost(
        { accountId: account.accountId, accessToken: this.d.sealer.open(account.accessTokenEnc), refreshToken },
        { http: this.d.http, allowLoopbackHttp: this.d.cfg.allowLoopbackHttp },
      );
      if (!now || now.host === account.host || (now.platform && now.platform !== account.platform)) return undefined;
      return now;
    } catch (err) {
      // The lookup refused or failed: the refusal at the stored host stands.
      this.d.log.warn({ tenantId: account.tenantId, err }, 'amocrm: could not ask amoCRM for the account\'s current address');
      return undefined;
    }
  }
}
